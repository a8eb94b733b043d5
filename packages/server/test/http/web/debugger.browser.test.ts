import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importKey, sign, verify } from '@sesame/jwt';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debuggerPage } from '../../../src/http/web/debugger/routes.js';
import { REPO_ROOT } from '../../cli/run-cli.js';
import { openPage, type PageSession } from './browser.js';

/**
 * The debugger in a real browser (Debian's chromium driven by playwright-core): decode, a failing
 * and a passing verification against this server's JWKS and with an HMAC secret, encode. Without
 * chromium the test is skipped with a reason, or fails when SESAME_TEST_REQUIRE_SERVICES=1.
 */
// Debian's chromium; the variable only exists to try the skip and fail paths by hand.
const CHROMIUM = process.env.SESAME_TEST_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.SESAME_TEST_REQUIRE_SERVICES === '1') {
    throw new Error(`${CHROMIUM} is missing and SESAME_TEST_REQUIRE_SERVICES=1: apt-get install chromium`);
  }
  console.warn(`skipping the debugger browser test: ${CHROMIUM} is missing (apt-get install chromium)`);
}

const OUTPUT = join(REPO_ROOT, 'test-output');
const server = generateKeyPair('ES256', { kid: 'server-1' });
const SECRET = 'correct-horse-battery-staple-9f3K2x7Q';
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

describe.skipIf(!available)('the /debugger page in chromium', { timeout: 120_000 }, () => {
  it('decodes a token: three coloured parts, pretty JSON, claims with times, warnings', async () => {
    const { page } = session;
    const token = sign({ sub: 'u1', scope: 'quiz' }, server.privateKey, { audience: 'api', expiresIn: '2d' });
    await page.fill('#token', token);
    await expect.poll(() => page.locator('#token-parts span').count()).toBe(5);
    expect(await page.locator('#token-parts .part-signature').textContent()).toBe(token.split('.')[2]);
    expect(await page.locator('#header-json').textContent()).toContain('"alg": "ES256"');
    expect(await page.locator('#claims-body').textContent()).toMatch(
      /exp.*\(in (2 d|1 d 23 h)\).*Expiration time/,
    );
    expect(await page.locator('#warnings').textContent()).toMatch(/long-lifetime/);

    await page.fill('#token', 'not!.a.token');
    expect(await page.locator('#token-error').textContent()).toMatch(/header is not valid base64url/);
    await page.fill(
      '#token',
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`,
    );
    expect(await page.locator('#warnings').textContent()).toMatch(/alg-none.*no-exp/);
  });

  it("refuses a token from another key and verifies the server's own against its JWKS", async () => {
    const { page } = session;
    const stranger = generateKeyPair('ES256', { kid: 'server-1' }).privateKey;
    await page.fill('#token', sign({ sub: 'admin' }, stranger, { expiresIn: '5m' }));
    await page.click('#verify-server');
    await expect.poll(() => page.locator('#verify-result').textContent()).toMatch(/^Invalid signature/);
    await page.fill('#token', sign({ sub: 'u1' }, server.privateKey, { expiresIn: '5m' }));
    await page.click('#verify-server');
    await expect
      .poll(() => page.locator('#verify-result').textContent())
      .toMatch(/^Signature verified with this server's keys\.$/);
  });

  it('maps every asymmetric family onto WebCrypto: a pasted JWK verifies RS, PS, ES and EdDSA tokens', async () => {
    const { page } = session;
    for (const alg of ['RS384', 'PS256', 'ES512', 'EdDSA'] as const) {
      const pair = generateKeyPair(alg);
      await page.fill('#token', sign({ sub: alg }, pair.privateKey, { expiresIn: '5m' }));
      await page.fill('#verify-key', JSON.stringify(exportJWK(pair.publicKey)));
      await page.click('#verify-pasted');
      await expect
        .poll(() => page.locator('#verify-result').textContent(), { message: alg })
        .toMatch(/^Signature verified/);
    }
  });

  it('verifies with an HMAC secret, refuses the wrong one, and flags a weak one', async () => {
    const { page } = session;
    const token = sign({ sub: 'u1' }, importKey(SECRET, 'HS256'), { expiresIn: '5m' });
    await page.fill('#token', token);
    await page.fill('#verify-secret', `${SECRET}!`);
    await page.click('#verify-hmac');
    await expect.poll(() => page.locator('#verify-result').textContent()).toMatch(/^Invalid signature/);
    await page.fill('#verify-secret', SECRET);
    await page.click('#verify-hmac');
    await expect
      .poll(() => page.locator('#verify-result').textContent())
      .toMatch(/^Signature verified with the secret/);
    expect(await page.locator('#warnings').textContent()).not.toMatch(/weak-secret/);
    await page.fill('#verify-secret', 'secret');
    await page.click('#verify-hmac');
    expect(await page.locator('#warnings').textContent()).toMatch(/weak-secret/);
    // A pasted public key is refused for an HS256 token (algorithm confusion, RFC 8725 §2.1).
    await page.fill('#verify-key', JSON.stringify({ keys: [exportJWK(server.publicKey)] }));
    await page.click('#verify-pasted');
    await expect.poll(() => page.locator('#verify-result').textContent()).toMatch(/needs the HMAC secret/);
  });

  it('encodes with a secret and with a key pair made in the browser; tokens verify in Node', async () => {
    const { page } = session;
    await page.click('#tab-encode');
    await page.fill('#encode-payload', '{"sub":"u9","aud":"api"}');
    // A secret shorter than the hash is refused, as the CLI and the server refuse it.
    await page.fill('#encode-secret', 'short6');
    await page.click('#encode-sign');
    await expect
      .poll(() => page.locator('#encode-status').textContent())
      .toBe('Not signed: the HMAC secret is 6 bytes; HS256 needs at least 32 (RFC 7518 §3.2).');
    expect(await page.locator('#encode-output').inputValue()).toBe('');
    await page.fill('#encode-secret', SECRET);
    await page.click('#encode-sign');
    await expect.poll(() => page.locator('#encode-output').inputValue()).toMatch(/^ey/);
    const hs = await page.locator('#encode-output').inputValue();
    expect(
      verify(hs, importKey(SECRET, 'HS256'), { algorithms: ['HS256'], audience: 'api' }).payload.sub,
    ).toBe('u9');

    await page.selectOption('#encode-alg', 'ES256');
    await page.click('#encode-sign');
    await expect.poll(() => page.locator('#encode-output').inputValue()).not.toBe(hs);
    const es = await page.locator('#encode-output').inputValue();
    const jwks = JSON.parse((await page.locator('#encode-public').inputValue()).split('\n\n')[0]!);
    const publicKey = importKey(jwks.keys[0], 'ES256');
    expect(verify(es, publicKey, { algorithms: ['ES256'] }).header.kid).toBe(jwks.keys[0].kid);

    await page.click('#encode-open');
    expect(await page.locator('#token').inputValue()).toBe(es);
    await page.keyboard.press('ArrowRight'); // keyboard: the focused tab moves to Encode
    expect(await page.locator('#panel-encode').isVisible()).toBe(true);
    await page.keyboard.press('ArrowLeft');
    // The public key the page generated came along to the decoder, and verifies its token there.
    expect(JSON.parse(await page.locator('#verify-key').inputValue())).toEqual(jwks);
    await page.click('#verify-pasted');
    await expect
      .poll(() => page.locator('#verify-result').textContent())
      .toMatch(/^Signature verified with the pasted key/);
    // The result sits right under the button that asked for it, and is on screen.
    expect(
      await page.evaluate(`(() => {
        const result = document.getElementById('verify-result');
        const button = document.getElementById('verify-pasted');
        const box = result.getBoundingClientRect();
        return result.previousElementSibling === button.closest('p')
          && box.top >= 0 && box.bottom <= window.innerHeight;
      })()`),
    ).toBe(true);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'debugger.png'), fullPage: true });
  });

  it('fits a phone screen, reads a token from the fragment, and never sent one anywhere', async () => {
    const { page } = session;
    const token = sign({ sub: 'u1' }, server.privateKey, { expiresIn: '5m' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}/debugger#token=${token}`);
    await expect.poll(() => page.locator('#token').inputValue()).toBe(token);
    expect(await page.locator('#token-parts .part-signature').textContent()).toBe(token.split('.')[2]);
    // A string: this file is compiled for Node, the expression runs in the page.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.screenshot({ path: join(OUTPUT, 'debugger-phone.png'), fullPage: true });
    expect(session.requests.every((url) => url.startsWith(origin))).toBe(true);
    expect(session.requests.some((url) => url.includes('eyJ'))).toBe(false);
    expect(session.problems).toEqual([]);
  });
});
