/**
 * The registration rules of encrypted responses (OpenID Connect Registration §2,
 * domain/clients/validate-encryption.ts): each accepted setting beside the refused one, through the
 * client service the CLI and the admin API share, and through the admin API itself (a 400 with the
 * reason, never a 500).
 */
import { adminApi, createTestApp, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIRECT } from '../../helpers/code-flow.js';
import { type EncryptionKey, encryptionKey } from '../../helpers/encryption-keys.js';

let t: TestApp;
let rsa: EncryptionKey;
let ec: EncryptionKey;
let seq = 0;
beforeAll(async () => {
  t = await createTestApp();
  rsa = await encryptionKey('RSA-OAEP-256', 'rsa-enc');
  ec = await encryptionKey('ECDH-ES', 'ec-enc', { crv: 'P-256' });
});
afterAll(() => t.close());

function register(fields: Record<string, unknown>) {
  return t.services.clients.create(
    {
      name: 'enc',
      clientId: `enc-${++seq}`,
      grantTypes: ['authorization_code'],
      scopes: ['openid'],
      redirectUris: [REDIRECT],
      ...fields,
    },
    'test',
  );
}

describe('encrypted response settings', () => {
  it('enc defaults to A128CBC-HS256 once alg is given; without alg, enc is refused', async () => {
    const { client } = await register({
      jwks: { keys: [rsa.jwk] },
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
    });
    expect(client.idTokenEncryptedResponseEnc).toBe('A128CBC-HS256');
    await expect(
      register({ jwks: { keys: [rsa.jwk] }, idTokenEncryptedResponseEnc: 'A256GCM' }),
    ).rejects.toThrow(/idTokenEncryptedResponseEnc needs idTokenEncryptedResponseAlg/);
    await expect(
      register({ jwks: { keys: [rsa.jwk] }, userinfoEncryptedResponseEnc: 'A256GCM' }),
    ).rejects.toThrow(/userinfoEncryptedResponseEnc needs/);
  });

  it.each(['RSA1_5', 'PBES2-HS256+A128KW', 'A128KW', 'dir', 'none', 'ES256'])(
    'alg %s is refused',
    async (alg) => {
      await expect(register({ jwks: { keys: [rsa.jwk] }, idTokenEncryptedResponseAlg: alg })).rejects.toThrow(
        /is not offered/,
      );
    },
  );

  it('an unknown enc is refused, a known one kept', async () => {
    const ok = await register({
      jwks: { keys: [ec.jwk] },
      userinfoEncryptedResponseAlg: 'ECDH-ES',
      userinfoEncryptedResponseEnc: 'A256GCM',
    });
    expect(ok.client.userinfoEncryptedResponseEnc).toBe('A256GCM');
    await expect(
      register({
        jwks: { keys: [ec.jwk] },
        idTokenEncryptedResponseAlg: 'ECDH-ES',
        idTokenEncryptedResponseEnc: 'A512GCM',
      }),
    ).rejects.toThrow(/A512GCM.*is not offered/);
  });

  it('encryption needs keys: none, or none of the type the alg needs, or only a signing key, is refused', async () => {
    await expect(register({ idTokenEncryptedResponseAlg: 'ECDH-ES' })).rejects.toThrow(
      /needs the client's public keys/,
    );
    await expect(
      register({ jwks: { keys: [ec.jwk] }, idTokenEncryptedResponseAlg: 'RSA-OAEP' }),
    ).rejects.toThrow(/jwks holds no public key for RSA-OAEP/);
    const signing = await encryptionKey('ECDH-ES', 'sig', { crv: 'P-256', use: 'sig' });
    await expect(
      register({ jwks: { keys: [signing.jwk] }, idTokenEncryptedResponseAlg: 'ECDH-ES' }),
    ).rejects.toThrow(/jwks holds no public key for ECDH-ES/);
    // A key whose own alg is another one does not serve either.
    const other = { ...rsa.jwk, alg: 'RSA-OAEP' };
    await expect(
      register({ jwks: { keys: [other] }, idTokenEncryptedResponseAlg: 'RSA-OAEP-256' }),
    ).rejects.toThrow(/jwks holds no public key/);
    // With a jwks_uri the keys are looked up when a response is encrypted.
    const { client } = await register({
      jwksUri: 'https://rp.example/jwks.json',
      idTokenEncryptedResponseAlg: 'ECDH-ES',
    });
    expect(client.idTokenEncryptedResponseAlg).toBe('ECDH-ES');
  });

  it('a change that leaves no key to encrypt to is refused; clearing alg clears enc', async () => {
    const { client } = await register({
      jwks: { keys: [rsa.jwk] },
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
      idTokenEncryptedResponseEnc: 'A256GCM',
    });
    await expect(
      t.services.clients.change(client.clientId, { jwks: { keys: [ec.jwk] } }, 'test'),
    ).rejects.toThrow(/jwks holds no public key for RSA-OAEP-256/);
    await expect(t.services.clients.change(client.clientId, { jwks: null }, 'test')).rejects.toThrow(
      /needs the client's public keys/,
    );
    // enc kept when only alg changes
    const changed = await t.services.clients.change(
      client.clientId,
      { jwks: { keys: [rsa.jwk, ec.jwk] }, idTokenEncryptedResponseAlg: 'ECDH-ES' },
      'test',
    );
    expect(changed).toMatchObject({
      idTokenEncryptedResponseAlg: 'ECDH-ES',
      idTokenEncryptedResponseEnc: 'A256GCM',
    });
    const cleared = await t.services.clients.change(
      client.clientId,
      { idTokenEncryptedResponseAlg: null },
      'test',
    );
    expect(cleared).toMatchObject({ idTokenEncryptedResponseAlg: null, idTokenEncryptedResponseEnc: null });
  });

  it('userinfoSignedResponseAlg must be one the server signs with', async () => {
    const { client } = await register({ userinfoSignedResponseAlg: 'RS256' });
    expect(client.userinfoSignedResponseAlg).toBe('RS256');
    await expect(register({ userinfoSignedResponseAlg: 'HS256' })).rejects.toThrow(
      /not an algorithm this server signs/,
    );
    await expect(register({ userinfoSignedResponseAlg: 'none' })).rejects.toThrow(
      /not an algorithm this server signs/,
    );
  });

  it('jwks: an encryption key with private members, or of an unoffered alg, is refused', async () => {
    const { privateKey } = rsa;
    const { exportJWK } = await import('jose');
    const leaked = { ...(await exportJWK(privateKey)), use: 'enc' };
    await expect(register({ jwks: { keys: [leaked] } })).rejects.toThrow(/private members/);
    await expect(register({ jwks: { keys: [{ ...rsa.jwk, alg: 'RSA1_5' }] } })).rejects.toThrow(
      /encryption key's alg must be one of/,
    );
    await expect(register({ jwks: { keys: [{ ...ec.jwk, x: 'AAAA' }] } })).rejects.toThrow(
      /not a valid public encryption key/,
    );
  });

  it('the admin API takes the fields and answers 400 with the reason', async () => {
    const call = await adminApi(t);
    const created = await call('POST', '/admin/clients', {
      name: 'enc-admin',
      grantTypes: ['authorization_code'],
      redirectUris: [REDIRECT],
      jwks: { keys: [ec.jwk] },
      idTokenEncryptedResponseAlg: 'ECDH-ES+A128KW',
      userinfoSignedResponseAlg: 'RS256',
    });
    expect(created.statusCode, created.body).toBe(201);
    const { client } = created.json();
    expect(client).toMatchObject({
      idTokenEncryptedResponseAlg: 'ECDH-ES+A128KW',
      idTokenEncryptedResponseEnc: 'A128CBC-HS256',
      userinfoSignedResponseAlg: 'RS256',
    });
    const refused = await call('PATCH', `/admin/clients/${client.clientId}`, {
      userinfoEncryptedResponseAlg: 'RSA-OAEP',
    });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error_description).toMatch(/jwks holds no public key for RSA-OAEP/);
  });
});

describe('discovery', () => {
  it('lists the encryption algorithms in both documents, never RSA1_5 nor PBES2', async () => {
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const metadata = (await t.app.inject({ url })).json();
      for (const name of ['id_token', 'userinfo']) {
        const algs = metadata[`${name}_encryption_alg_values_supported`];
        expect(algs).toEqual([
          'RSA-OAEP',
          'RSA-OAEP-256',
          'ECDH-ES',
          'ECDH-ES+A128KW',
          'ECDH-ES+A192KW',
          'ECDH-ES+A256KW',
        ]);
        expect(metadata[`${name}_encryption_enc_values_supported`]).toContain('A128CBC-HS256');
      }
      expect(metadata.userinfo_signing_alg_values_supported).toEqual(
        metadata.id_token_signing_alg_values_supported,
      );
    }
  });
});
