import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { pkce } from '@sesame/testkit';
import { ALICE, openTempStore } from '@sesame/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';
import { escapeHtml } from '../../../src/http/web/login/pages.js';
import { openPage, type PageSession, signInOnPage } from './browser.js';

/**
 * OpenID Connect's POST authorization request and form_post response mode in a real browser
 * (Debian's chromium): a relying party on another site (`localhost`, Sesame on `127.0.0.1`) posts
 * the authorization request from its own page; the SameSite=Lax session cookie does not come with
 * that cross-site POST, Sesame continues as a GET that carries it, and the form_post page's one
 * hashed script submits the code to the redirect URI under its strict CSP (a CSP refusal would show
 * in the console). Skipped without chromium, as the other browser tests.
 */
const CHROMIUM = process.env.SESAME_TEST_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.SESAME_TEST_REQUIRE_SERVICES === '1') {
    throw new Error(`${CHROMIUM} is missing and SESAME_TEST_REQUIRE_SERVICES=1: apt-get install chromium`);
  }
  console.warn(`skipping the OpenID Connect browser test: ${CHROMIUM} is missing (apt-get install chromium)`);
}

let app: FastifyInstance;
let store: Awaited<ReturnType<typeof openTempStore>>;
let origin: string;
let rp: Server;
let rpOrigin: string;
let redirectUri: string;
/** What reached the relying party's callback: the method and the parameters (query or form). */
const landed: Array<{ method: string; params: URLSearchParams }> = [];

/** The relying party's page: a form that posts the authorization request to Sesame. */
function rpPage(params: Record<string, string>): string {
  const fields = Object.entries(params)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  return `<!doctype html><html data-ready="true"><title>RP</title>
<form method="post" action="${origin}/oauth/authorize">${fields}<button>Sign in with Sesame</button></form></html>`;
}

let pending: Record<string, string> = {};
beforeAll(async () => {
  if (!available) return;
  rp = createServer((request, response) => {
    const url = new URL(request.url ?? '/', rpOrigin);
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (url.pathname === '/callback') {
        const params = request.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
        landed.push({ method: request.method ?? '', params });
      }
      const html =
        url.pathname === '/rp'
          ? rpPage(pending)
          : '<!doctype html><html data-ready="true"><title>Back</title><p>back at the app</p></html>';
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    });
  });
  await new Promise<void>((done) => rp.listen(0, '127.0.0.1', done));
  // Another site than Sesame's 127.0.0.1: SameSite compares hosts, not ports.
  rpOrigin = `http://localhost:${(rp.address() as { port: number }).port}`;
  redirectUri = `${rpOrigin}/callback`;

  store = await openTempStore();
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as { port: number }).port;
  await new Promise((done) => probe.close(done));
  const config = loadConfig({ values: { logLevel: 'silent', port } });
  app = await buildApp({ config, store, logger: false });
  origin = await app.listen({ host: '127.0.0.1', port });
  await app.sesame.users.create({ ...ALICE, scopes: ['openid', 'quiz'] }, 'test');
  await app.sesame.clients.create(
    {
      name: 'Quiz SPA',
      clientId: 'quiz-spa',
      type: 'public',
      grantTypes: ['authorization_code'],
      scopes: ['openid', 'quiz'],
      redirectUris: [redirectUri],
    },
    'test',
  );
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  await new Promise((done) => (rp ? rp.close(done) : done(undefined)));
});

function request(extra: Record<string, string> = {}): Record<string, string> {
  return {
    response_type: 'code',
    client_id: 'quiz-spa',
    redirect_uri: redirectUri,
    scope: 'openid quiz',
    state: 'browser-oidc',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

describe.skipIf(!available)(
  'POST authorization requests and form_post in chromium',
  { timeout: 120_000 },
  () => {
    let session: PageSession | undefined;
    afterAll(() => session?.close());

    it('signs in once, then a cross-site POST request with form_post comes back by POST with a code, no page in between', async () => {
      const url = new URL('/oauth/authorize', origin);
      url.search = new URLSearchParams(request()).toString();
      session = await openPage(CHROMIUM, url.href);
      const { page } = session;
      await signInOnPage(page, ALICE);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((current) => current.href.startsWith(redirectUri));
      expect(landed.at(-1)?.method).toBe('GET');

      pending = request({ response_mode: 'form_post', state: '"><b>st</b>' });
      await page.goto(`${rpOrigin}/rp`);
      const seen: string[] = [];
      page.on('request', (sent) => seen.push(`${sent.method()} ${sent.url().split('?')[0]}`));
      await page.getByRole('button', { name: 'Sign in with Sesame' }).click();
      await page.waitForSelector('text=back at the app');

      const back = landed.at(-1)!;
      expect(back.method).toBe('POST');
      expect(back.params.get('code')).toMatch(/^[\w-]{43}$/);
      expect([back.params.get('state'), back.params.get('iss')]).toEqual(['"><b>st</b>', origin]);
      // The cross-site POST, the GET that carried the session cookie, the form post to the client.
      expect(seen).toEqual([
        `POST ${origin}/oauth/authorize`,
        `GET ${origin}/oauth/authorize`,
        `POST ${redirectUri}`,
      ]);
      expect(session.problems.filter((problem) => !problem.startsWith('Failed to load resource'))).toEqual(
        [],
      );
    });
  },
);
