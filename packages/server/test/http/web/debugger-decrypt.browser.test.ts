/**
 * The /debugger page decrypts a JWE in a real browser (Debian's chromium driven by playwright-core)
 * with a pasted key, by WebCrypto in the page: RSA-OAEP-256, ECDH-ES on P-521, ECDH-ES+A128KW on
 * X25519 from a PEM, AES key wrap and dir secrets, every content encryption family; a nested JWT's
 * inner token opens in the decoder and verifies. A wrong key, a changed tag, RSA1_5 and a public
 * key are refused, and nothing the page requested carried the token or the key.
 */
import { existsSync } from 'node:fs';
import {
  type ContentEncryptionAlgorithm,
  encrypt,
  encryptJwt,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type KeyManagementAlgorithm,
} from '@sesame/jwt';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debuggerPage } from '../../../src/http/web/debugger/routes.js';
import { openPage, type PageSession } from './browser.js';

const CHROMIUM = process.env.SESAME_TEST_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.SESAME_TEST_REQUIRE_SERVICES === '1') {
    throw new Error(`${CHROMIUM} is missing and SESAME_TEST_REQUIRE_SERVICES=1: apt-get install chromium`);
  }
  console.warn(`skipping the debugger decrypt test: ${CHROMIUM} is missing (apt-get install chromium)`);
}

const server = generateKeyPair('ES256', { kid: 'server-1' });
let app: FastifyInstance;
let origin: string;
let session: PageSession;

beforeAll(async () => {
  if (!available) return;
  app = Fastify();
  await app.register(debuggerPage);
  app.get('/.well-known/jwks.json', async () => ({ keys: [exportJWK(server.publicKey)] }));
  origin = await app.listen({ host: '127.0.0.1', port: 0 });
  session = await openPage(CHROMIUM, `${origin}/debugger`);
});
afterAll(async () => {
  await session?.close();
  await app?.close();
});

async function decryptOnPage(token: string, key: string): Promise<string> {
  const { page } = session;
  await page.fill('#token', token);
  await page.fill('#decrypt-key', key);
  await page.click('#decrypt-pasted');
  await expect.poll(() => page.locator('#decrypt-result').textContent()).not.toMatch(/^Decrypting|^$/);
  return (await page.locator('#decrypt-result').textContent()) ?? '';
}

function pair(alg: KeyManagementAlgorithm, crv?: 'P-521' | 'X25519') {
  const { publicKey, privateKey } = generateKeyPair(alg, { crv });
  return { publicKey, privateKey, jwk: JSON.stringify(exportJWK(privateKey, { private: true })) };
}

describe.skipIf(!available)('the /debugger page decrypts in chromium', { timeout: 120_000 }, () => {
  it.each([
    ['RSA-OAEP-256', 'A256GCM', undefined, 'jwk'],
    ['ECDH-ES', 'A256CBC-HS512', 'P-521', 'jwk'],
    ['ECDH-ES+A128KW', 'A128CBC-HS256', 'X25519', 'pem'],
  ] as const)('%s / %s with a pasted private key (%s, %s)', async (alg, enc, crv, form) => {
    const keys = pair(alg, crv);
    const token = encrypt(JSON.stringify({ hello: alg }), keys.publicKey, { enc });
    const key =
      form === 'pem'
        ? keys.privateKey.keyObject.export({ type: 'pkcs8', format: 'pem' }).toString()
        : keys.jwk;
    expect(await decryptOnPage(token, key)).toBe(`Decrypted with the pasted key (${alg}, ${enc}).`);
    expect(await session.page.locator('#decrypt-plaintext').textContent()).toContain(`"hello": "${alg}"`);
    expect(await session.page.locator('#token-parts span').count()).toBe(9);
    expect(await session.page.locator('#verify-box').isHidden()).toBe(true);
  });

  it.each([
    ['A256KW', 'A256GCM'],
    ['dir', 'A128GCM'],
  ] as const)('%s / %s with a pasted secret JWK', async (alg, enc) => {
    const secret = generateSecret(alg, { enc: enc as ContentEncryptionAlgorithm });
    const token = encrypt('a secret message', secret, { enc });
    const result = await decryptOnPage(token, JSON.stringify(exportJWK(secret, { private: true })));
    expect(result).toBe(`Decrypted with the pasted key (${alg}, ${enc}).`);
    expect(await session.page.locator('#decrypt-plaintext').textContent()).toBe('a secret message');
  });

  it('a 192-bit AES content key does not decrypt in Chromium, whose WebCrypto has no AES-192', async () => {
    const secret = generateSecret('A256KW');
    const token = encrypt('x', secret, { enc: 'A192GCM' });
    const result = await decryptOnPage(token, JSON.stringify(exportJWK(secret, { private: true })));
    expect(result).toMatch(/^Not decrypted: /);
  });

  it('opens a nested JWT in the decoder, where it verifies against the server keys', async () => {
    const keys = pair('ECDH-ES+A256KW');
    const token = encryptJwt({ sub: 'u1' }, keys.publicKey, {
      enc: 'A256GCM',
      signingKey: server.privateKey,
      expiresIn: '5m',
    });
    expect(await decryptOnPage(token, keys.jwk)).toMatch(/a signed token inside/);
    await session.page.click('#decrypt-open');
    await expect.poll(() => session.page.locator('#token-parts span').count()).toBe(5);
    expect(await session.page.locator('#payload-json').textContent()).toContain('"sub": "u1"');
    await session.page.click('#verify-server');
    await expect
      .poll(() => session.page.locator('#verify-result').textContent())
      .toMatch(/^Signature verified with this server's keys\.$/);
  });

  it('refuses another key, a changed tag, RSA1_5 and a public key', async () => {
    const keys = pair('RSA-OAEP-256');
    const token = encrypt('x', keys.publicKey, { enc: 'A128CBC-HS256' });
    expect(await decryptOnPage(token, pair('RSA-OAEP-256').jwk)).toMatch(
      /^Not decrypted: the content key does not decrypt/,
    );
    const parts = token.split('.');
    const tag = Buffer.from(parts[4]!, 'base64url');
    tag[0]! ^= 1;
    const changed = [...parts.slice(0, 4), tag.toString('base64url')].join('.');
    expect(await decryptOnPage(changed, keys.jwk)).toMatch(
      /^Not decrypted: the authentication tag does not match/,
    );
    const rsa15 = [
      Buffer.from('{"alg":"RSA1_5","enc":"A128GCM"}').toString('base64url'),
      ...parts.slice(1),
    ].join('.');
    expect(await decryptOnPage(rsa15, keys.jwk)).toMatch(/^Not decrypted: RSA1_5 is refused/);
    expect(await decryptOnPage(token, JSON.stringify(exportJWK(keys.publicKey)))).toMatch(/public key/);
    // Nothing left the page: every request went to this server, none with a token or a key in it.
    expect(session.requests.every((url) => url.startsWith(origin))).toBe(true);
    expect(session.requests.some((url) => url.includes('eyJ') || url.includes('kty'))).toBe(false);
    expect(session.problems).toEqual([]);
  });
});
