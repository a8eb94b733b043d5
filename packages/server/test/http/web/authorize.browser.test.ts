import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { pkce } from '@sesame/testkit';
import { ALICE, openTempStore } from '@sesame/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';
import { openPage, type PageSession, signInOnPage } from './browser.js';

/**
 * The code flow in a real browser (Debian's chromium driven by playwright-core): open the
 * authorize URL, log in, consent, land on the client's redirect URI (a small local HTTP server)
 * with a code, and exchange it. The pages have no script; the page's console must stay clean (a
 * CSP violation, e.g. the consent form's redirect blocked by form-action, would show there).
 * Without chromium the test is skipped with a reason, or fails when SESAME_TEST_REQUIRE_SERVICES=1.
 */
const CHROMIUM = process.env.SESAME_TEST_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.SESAME_TEST_REQUIRE_SERVICES === '1') {
    throw new Error(`${CHROMIUM} is missing and SESAME_TEST_REQUIRE_SERVICES=1: apt-get install chromium`);
  }
  console.warn(`skipping the authorize browser test: ${CHROMIUM} is missing (apt-get install chromium)`);
}

let app: FastifyInstance;
let store: Awaited<ReturnType<typeof openTempStore>>;
let origin: string;
let client: Server;
let redirectUri: string;
let clientSecret: string;
const landed: URL[] = [];

beforeAll(async () => {
  if (!available) return;
  // The client's redirect target: records what it receives and says thanks.
  client = createServer((request, response) => {
    const url = new URL(request.url ?? '/', redirectUri);
    if (url.pathname === '/callback') landed.push(url); // not the browser's /favicon.ico
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>Back</title><p>back at the app');
  });
  await new Promise<void>((done) => client.listen(0, '127.0.0.1', done));
  redirectUri = `http://127.0.0.1:${(client.address() as { port: number }).port}/callback`;

  store = await openTempStore();
  // The issuer must be known before listening: listen on a free port first, then build on it.
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as { port: number }).port;
  await new Promise((done) => probe.close(done));
  const config = loadConfig({ values: { logLevel: 'silent', port } });
  app = await buildApp({ config, store, logger: false });
  origin = await app.listen({ host: '127.0.0.1', port });
  await app.sesame.users.create(
    {
      ...ALICE,
      scopes: ['openid', 'quiz'],
    },
    'test',
  );
  ({ clientSecret } = (await app.sesame.clients.create(
    {
      name: 'Quiz Web',
      clientId: 'quiz-web',
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'quiz'],
      redirectUris: [redirectUri],
    },
    'test',
  )) as { clientSecret: string });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  await new Promise((done) => (client ? client.close(done) : done(undefined)));
});

describe.skipIf(!available)('the code flow in chromium', { timeout: 120_000 }, () => {
  let session: PageSession | undefined;
  afterAll(() => session?.close());

  it('logs in, consents, lands on the redirect URI with a code, and the code gives tokens', async () => {
    const { verifier, challenge } = pkce();
    const url = new URL('/oauth/authorize', origin);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'quiz-web',
      redirect_uri: redirectUri,
      scope: 'openid quiz',
      state: 'browser-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    session = await openPage(CHROMIUM, url.href);
    const { page } = session;

    // The login page: labelled fields, the username focused, the stylesheet applied.
    expect(await page.title()).toBe('Sign in · Sesame');
    expect(await page.evaluate('document.activeElement?.id')).toBe('username');
    expect(await page.getByLabel('Username').count()).toBe(1);
    expect(await page.getByLabel('Password').count()).toBe(1);
    expect(await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")).toBe('416px');

    // A wrong password first: the error is announced and the form comes back.
    await signInOnPage(page, { ...ALICE, password: 'wrong password' });
    await page.waitForSelector('[role="alert"]');
    expect(await page.locator('[role="alert"]').textContent()).toContain('wrong');

    await page.getByLabel('Password').fill(ALICE.password);
    // Keyboard only: Enter submits.
    await page.getByLabel('Password').press('Enter');
    await page.waitForSelector('text=Allow');
    expect(await page.title()).toBe('Allow access · Sesame');
    expect(await page.locator('h1').textContent()).toContain('Quiz Web');

    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((current) => current.href.startsWith(redirectUri));
    expect(await page.textContent('p')).toBe('back at the app');

    const back = landed.at(-1)!;
    expect(back.searchParams.get('state')).toBe('browser-state');
    expect(back.searchParams.get('iss')).toBe(origin);
    const code = back.searchParams.get('code')!;
    expect(code).toMatch(/^[\w-]{43}$/);
    // The 400 of the wrong password and the favicon's 404 are logged too; a CSP refusal would not be.
    expect(session.problems.filter((problem) => !problem.startsWith('Failed to load resource'))).toEqual([]);
    // No script was ever requested: the pages work without JavaScript.
    expect(session.requests.filter((request) => request.endsWith('.js'))).toEqual([]);

    const response = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`quiz-web:${clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
      }),
    });
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { access_token: string; refresh_token: string; scope: string };
    expect(tokens.scope).toBe('openid quiz');
    expect(tokens.refresh_token).toBeTruthy();

    // Consent is remembered: the same URL now goes straight back to the client.
    await page.goto(url.href);
    await page.waitForURL((current) => current.href.startsWith(redirectUri));
    expect(landed.at(-1)!.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
  });

  it('shows an error page, not a redirect, for a redirect_uri that is not registered', async () => {
    const { page } = session!;
    const url = new URL('/oauth/authorize', origin);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'quiz-web',
      redirect_uri: 'http://127.0.0.1:1/evil',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    }).toString();
    const response = await page.goto(url.href);
    expect(response?.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(origin);
    expect(await page.locator('h1').textContent()).toBe('This sign-in link cannot be used');
  });

  it('is usable on a phone: no horizontal scrolling at 360 px, thumb-sized buttons', async () => {
    const { page } = session!;
    await page.setViewportSize({ width: 360, height: 640 });
    // A fresh request with another client state: the login page again after signing out.
    await page.context().clearCookies();
    const url = new URL('/oauth/authorize', origin);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'quiz-web',
      redirect_uri: redirectUri,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    }).toString();
    await page.goto(url.href);
    const widths = (await page.evaluate(
      '[document.documentElement.scrollWidth, window.innerWidth]',
    )) as number[];
    expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
    const button = await page.getByRole('button', { name: 'Sign in' }).boundingBox();
    expect(button!.height).toBeGreaterThanOrEqual(44);
  });
});
