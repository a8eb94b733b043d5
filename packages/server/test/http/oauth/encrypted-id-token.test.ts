/**
 * Encrypted ID tokens (OpenID Connect Core §10.2, Registration §2): a client that registered
 * `idTokenEncryptedResponseAlg` gets its ID tokens signed, then encrypted to its key of use `enc`
 * (a nested JWT, cty JWT), at the code exchange and on refresh; jose decrypts them and verifies the
 * inner token against the JWKS. A client that cannot be encrypted to gets an OAuth error, not a
 * 500 and not an ID token in the clear.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, PageClient, type TestApp } from '@sesame/testkit/app';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  authorize,
  exchange,
  REDIRECT,
  redeem,
  refresh,
  verifyIdToken,
  type WebClient,
} from '../../helpers/code-flow.js';
import { type EncryptionKey, encryptionKey } from '../../helpers/encryption-keys.js';

let t: TestApp;
let server: Server | undefined;
afterEach(async () => {
  await t.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

async function encryptingClient(id: string, fields: Record<string, unknown>): Promise<WebClient> {
  const created = await t.services.clients.create(
    {
      name: `the ${id} app`,
      clientId: id,
      type: 'confidential',
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'quiz'],
      redirectUris: [REDIRECT],
      ...fields,
    },
    'test',
  );
  return { id, secret: created.clientSecret! };
}

/** Decrypts as the client does and verifies the inner ID token as a relying party does. */
async function openIdToken(token: string, key: EncryptionKey, clientId: string) {
  const { plaintext, protectedHeader } = await compactDecrypt(token, key.privateKey);
  return {
    header: protectedHeader,
    payload: await verifyIdToken(t, new TextDecoder().decode(plaintext), clientId),
  };
}

describe('encrypted ID tokens', () => {
  it.each([
    ['RSA-OAEP-256', undefined, 'A128CBC-HS256', {}],
    ['RSA-OAEP', 'A256GCM', 'A256GCM', {}],
    ['ECDH-ES', 'A128GCM', 'A128GCM', { crv: 'P-256' }],
    ['ECDH-ES+A256KW', 'A256CBC-HS512', 'A256CBC-HS512', { crv: 'X25519' }],
  ] as const)(
    '%s / %s: a nested JWT at the code exchange and on refresh',
    async (alg, enc, expectedEnc, keyOptions) => {
      t = await createTestApp();
      const key = await encryptionKey(alg, 'enc-1', keyOptions);
      const web = await encryptingClient('web-enc', {
        jwks: { keys: [key.jwk] },
        idTokenEncryptedResponseAlg: alg,
        ...(enc && { idTokenEncryptedResponseEnc: enc }),
      });
      const tokens = await exchange(t, web, await authorize(new PageClient(t.app), web.id, { nonce: 'n-1' }));
      expect(tokens.id_token.split('.')).toHaveLength(5);
      const opened = await openIdToken(tokens.id_token, key, web.id);
      // Registration §2: A128CBC-HS256 when the client named no enc.
      expect(opened.header).toMatchObject({ alg, enc: expectedEnc, cty: 'JWT', kid: 'enc-1' });
      expect(opened.payload).toMatchObject({ aud: web.id, nonce: 'n-1' });
      const refreshed = await refresh(t, web, tokens.refresh_token!);
      expect(refreshed.statusCode, refreshed.body).toBe(200);
      expect((await openIdToken(refreshed.json().id_token, key, web.id)).payload.aud).toBe(web.id);
    },
  );

  it('a client that asked for none gets a signed ID token (3 parts)', async () => {
    t = await createTestApp();
    const key = await encryptionKey('RSA-OAEP-256', 'enc-1');
    const web = await encryptingClient('web-plain', { jwks: { keys: [key.jwk] } });
    const tokens = await exchange(t, web, await authorize(new PageClient(t.app), web.id));
    expect(tokens.id_token.split('.')).toHaveLength(3);
    await expect(compactDecrypt(tokens.id_token, key.privateKey)).rejects.toThrow();
  });

  it('encrypts to the key of use enc, never to the signing key beside it', async () => {
    t = await createTestApp();
    const signing = await encryptionKey('ECDH-ES', 'sig-1', { crv: 'P-256', use: 'sig' });
    const unmarked = await encryptionKey('ECDH-ES', 'any-1', { crv: 'P-256', use: null });
    const enc = await encryptionKey('ECDH-ES', 'enc-1', { crv: 'P-256' });
    const web = await encryptingClient('web-mixed', {
      jwks: { keys: [signing.jwk, unmarked.jwk, enc.jwk] },
      idTokenEncryptedResponseAlg: 'ECDH-ES',
    });
    const tokens = await exchange(t, web, await authorize(new PageClient(t.app), web.id));
    expect(decodeProtectedHeader(tokens.id_token).kid).toBe('enc-1');
    await expect(compactDecrypt(tokens.id_token, signing.privateKey)).rejects.toThrow();
    // A key without use serves when it is the only fitting one.
    await t.services.clients.change(web.id, { jwks: { keys: [signing.jwk, unmarked.jwk] } }, 'test');
    const again = await exchange(t, web, await authorize(new PageClient(t.app), web.id));
    expect(decodeProtectedHeader(again.id_token).kid).toBe('any-1');
  });
});

describe('a client whose jwks_uri holds no key to encrypt to', () => {
  async function keysAt(body: unknown): Promise<string> {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  }

  it('gets unauthorized_client at the token endpoint, and no token', async () => {
    t = await createTestApp({ jwksUriAllowPrivate: true });
    const signing = await encryptionKey('RSA-OAEP', 'sig-1', { use: 'sig' });
    const web = await encryptingClient('web-uri', {
      jwksUri: await keysAt({ keys: [signing.jwk] }),
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
    });
    const response = await redeem(t, web, await authorize(new PageClient(t.app), web.id));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'unauthorized_client' });
    expect(response.json().error_description).toMatch(/no public key of use enc.*RSA-OAEP-256/);
    expect(response.body).not.toMatch(/access_token|id_token"/);
  });

  it('gets unauthorized_client when the jwks_uri cannot be read, and the code is not spent', async () => {
    t = await createTestApp({ jwksUriAllowPrivate: true });
    const key = await encryptionKey('ECDH-ES', 'enc-back');
    let down = true;
    server = createServer((_request, response) => {
      if (down) response.writeHead(500).end();
      else
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: [key.jwk] }));
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const web = await encryptingClient('web-down', {
      jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
      idTokenEncryptedResponseAlg: 'ECDH-ES',
    });
    const grant = await authorize(new PageClient(t.app), web.id);
    const response = await redeem(t, web, grant);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'unauthorized_client' });
    // Once the client's keys can be read (after the refetch cooldown), the same code is exchanged.
    down = false;
    t.clock.advance(10_000);
    const tokens = await exchange(t, web, grant);
    expect((await openIdToken(tokens.id_token, key, web.id)).header.kid).toBe('enc-back');
  });

  it('a refresh whose ID token cannot be encrypted fails without rotating: the same token works later', async () => {
    t = await createTestApp({ jwksUriAllowPrivate: true });
    const key = await encryptionKey('RSA-OAEP-256', 'enc-flaky');
    const signing = await encryptionKey('RSA-OAEP', 'sig-only', { use: 'sig' });
    let keys = [key.jwk];
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const web = await encryptingClient('web-flaky', {
      jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
    });
    const tokens = await exchange(t, web, await authorize(new PageClient(t.app), web.id));
    // The client's key set loses its encryption key, and the cached one ages out.
    keys = [signing.jwk];
    t.clock.advance(301_000);
    const failed = await refresh(t, web, tokens.refresh_token!);
    expect(failed.statusCode, failed.body).toBe(400);
    expect(failed.json()).toMatchObject({ error: 'unauthorized_client' });
    // Fixed: the same refresh token still rotates (it was not spent by the failed try).
    keys = [key.jwk];
    t.clock.advance(301_000);
    const refreshed = await refresh(t, web, tokens.refresh_token!);
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect((await openIdToken(refreshed.json().id_token, key, web.id)).header.kid).toBe('enc-flaky');
  });

  it('the same uri with a key of use enc answers an encrypted ID token', async () => {
    t = await createTestApp({ jwksUriAllowPrivate: true });
    const key = await encryptionKey('RSA-OAEP-256', 'enc-uri');
    const web = await encryptingClient('web-uri-ok', {
      jwksUri: await keysAt({ keys: [key.jwk] }),
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
    });
    const tokens = await exchange(t, web, await authorize(new PageClient(t.app), web.id));
    expect((await openIdToken(tokens.id_token, key, web.id)).header.kid).toBe('enc-uri');
  });
});
