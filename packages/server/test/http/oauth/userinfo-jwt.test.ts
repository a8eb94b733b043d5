/**
 * /userinfo as a JWT (OpenID Connect Core §5.3.2): JSON for a client that registered nothing; a
 * JWS with iss and aud for `userinfoSignedResponseAlg`; a nested JWT for signing and encryption;
 * the JSON claims encrypted for encryption alone — each opened with jose as the client would.
 */
import { createTestApp, PageClient, type TestApp } from '@sesame/testkit/app';
import { compactDecrypt, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, exchange, ISSUER, REDIRECT } from '../../helpers/code-flow.js';
import { type EncryptionKey, encryptionKey } from '../../helpers/encryption-keys.js';

let t: TestApp;
let key: EncryptionKey;
let seq = 0;
beforeAll(async () => {
  t = await createTestApp();
  key = await encryptionKey('ECDH-ES+A128KW', 'enc-ui', { crv: 'P-384' });
});
afterAll(() => t.close());

/** A client with `fields`, signed in as alice: its /userinfo response. */
async function userinfoOf(fields: Record<string, unknown>) {
  const id = `ui-${++seq}`;
  const { clientSecret } = await t.services.clients.create(
    {
      name: id,
      clientId: id,
      grantTypes: ['authorization_code'],
      scopes: ['openid', 'quiz'],
      redirectUris: [REDIRECT],
      jwks: { keys: [key.jwk] },
      ...fields,
    },
    'test',
  );
  const web = { id, secret: clientSecret! };
  const tokens = await exchange(t, web, await authorize(new PageClient(t.app), id));
  const response = await t.app.inject({
    url: '/userinfo',
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  return { id, response };
}

async function verifyJws(token: string, audience: string) {
  const jwks = createLocalJWKSet((await t.app.inject({ url: '/.well-known/jwks.json' })).json());
  return (await jwtVerify(token, jwks, { issuer: ISSUER, audience, currentDate: new Date(t.clock.now()) }))
    .payload;
}

describe('/userinfo as a JWT', () => {
  it('answers JSON to a client that registered nothing', async () => {
    const { response } = await userinfoOf({});
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json().sub).toEqual(expect.any(String));
  });

  it('answers a signed JWT with iss and aud for userinfoSignedResponseAlg', async () => {
    const { id, response } = await userinfoOf({ userinfoSignedResponseAlg: 'RS256' });
    expect(response.headers['content-type']).toMatch(/^application\/jwt/);
    expect(decodeProtectedHeader(response.body).alg).toBe('RS256');
    const claims = await verifyJws(response.body, id);
    expect(claims).toMatchObject({ iss: ISSUER, aud: id, username: 'alice' });
  });

  it('answers a nested JWT when signing and encryption are registered', async () => {
    const { id, response } = await userinfoOf({
      userinfoSignedResponseAlg: 'ES256',
      userinfoEncryptedResponseAlg: 'ECDH-ES+A128KW',
      userinfoEncryptedResponseEnc: 'A256GCM',
    });
    expect(response.headers['content-type']).toMatch(/^application\/jwt/);
    const { plaintext, protectedHeader } = await compactDecrypt(response.body, key.privateKey);
    expect(protectedHeader).toMatchObject({
      alg: 'ECDH-ES+A128KW',
      enc: 'A256GCM',
      cty: 'JWT',
      kid: 'enc-ui',
    });
    const claims = await verifyJws(new TextDecoder().decode(plaintext), id);
    expect(claims).toMatchObject({ aud: id, username: 'alice' });
  });

  it('answers the JSON claims encrypted when only encryption is registered', async () => {
    const { id, response } = await userinfoOf({ userinfoEncryptedResponseAlg: 'ECDH-ES+A128KW' });
    expect(response.headers['content-type']).toMatch(/^application\/jwt/);
    const { plaintext, protectedHeader } = await compactDecrypt(response.body, key.privateKey);
    expect(protectedHeader).toMatchObject({ enc: 'A128CBC-HS256' });
    expect(protectedHeader.cty).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toMatchObject({
      iss: ISSUER,
      aud: id,
      username: 'alice',
    });
  });
});
