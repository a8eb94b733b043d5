/**
 * The example as a person uses it: `sesame serve` (the real CLI, a fresh data dir, the user and the
 * client registered with `sesame users add` and `sesame clients add` as the README says) and the
 * web app (`npm start`'s command), driven by Debian's chromium through playwright-core: sign in on
 * Sesame's login page, consent, and the app greets the user by name. With a wrong password the
 * browser stays on Sesame's login page and the app still has nobody signed in.
 */
import { fileURLToPath } from 'node:url';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  freePort,
  runSesame,
  type Started,
  startNode,
  startSesame,
  TSX,
  tempDir,
} from '@sesame/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const DORA = { username: 'dora', password: 'dora explores 42', name: 'Dora Explorer' };

const running: Started[] = [];
let browser: Browser;
let sesameUrl: string;
let appUrl: string;
let es256AppUrl: string;

/** Registers a client of the app at `url` with `sesame clients add` and starts the app for it. */
async function startApp(sesame: (args: string[]) => Promise<string>, extra: string[]): Promise<string> {
  const url = `http://127.0.0.1:${await freePort()}`;
  const client = JSON.parse(
    await sesame([
      ...['clients', 'add', 'OIDC web app', '--grant', 'authorization_code', '--scopes', 'openid profile'],
      ...['--redirect-uri', `${url}/callback`, '--auth-method', 'client_secret_basic', ...extra, '--json'],
    ]),
  ) as { client_id: string; client_secret: string };
  running.push(
    await startNode({
      name: 'oidc-webapp',
      args: ['--import', TSX, 'src/main.ts'],
      cwd: EXAMPLE,
      env: {
        SESAME_ISSUER: sesameUrl,
        CLIENT_ID: client.client_id,
        CLIENT_SECRET: client.client_secret,
        BASE_URL: url,
      },
      ready: 'oidc-webapp listening',
    }),
  );
  return url;
}

beforeAll(async () => {
  const dataDir = tempDir('sesame-oidc-webapp-');
  const sesamePort = await freePort();
  sesameUrl = `http://127.0.0.1:${sesamePort}`;
  const sesame = async (args: string[], stdin = '') => {
    const result = await runSesame([...args, '--data-dir', dataDir], { stdin });
    if (result.code !== 0) throw new Error(`sesame ${args.slice(0, 2).join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  await sesame(
    ['users', 'add', DORA.username, '--password-stdin', '--name', DORA.name, '--scopes', 'openid profile'],
    `${DORA.password}\n`,
  );
  running.push(await startSesame({ port: sesamePort, dataDir }));
  // As the README registers it: ID tokens signed RS256, what express-openid-connect expects.
  appUrl = await startApp(sesame, ['--id-token-alg', 'RS256']);
  // Registered without it: Sesame's ES256 ID tokens, which the library's default refuses.
  es256AppUrl = await startApp(sesame, []);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(running.map((process) => process.stop()));
});

/** Opens the app in a fresh browser profile and follows its "Sign in" link to Sesame's login page. */
async function toSesameLogin(app = appUrl): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(app);
  expect(await page.textContent('#user')).toBe('Nobody is signed in.');
  await page.click('#sign-in');
  await page.waitForURL((url) => url.origin === sesameUrl && url.pathname.startsWith('/oauth/authorize'));
  return page;
}

async function signIn(page: Page, password: string): Promise<void> {
  await page.fill('input[name="username"]', DORA.username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('#sign-in')]);
}

/** Answers the consent page when Sesame shows one (the first sign-in to a client) and waits for `app`. */
async function consentIfAsked(page: Page, app: string): Promise<void> {
  if (new URL(page.url()).origin !== sesameUrl) return;
  await Promise.all([
    page.waitForURL((url) => url.origin === app),
    page.click('button[name="decision"][value="allow"]'),
  ]);
}

describe('examples/oidc-webapp with express-openid-connect', { timeout: 90_000 }, () => {
  it("signs in on Sesame's login page, consents, and the app shows the user's name", async () => {
    const page = await toSesameLogin();
    await signIn(page, DORA.password);
    // The first sign-in asks for consent to the client's scopes.
    await consentIfAsked(page, appUrl);
    await page.waitForSelector('#name');
    expect(new URL(page.url()).origin).toBe(appUrl);
    expect(await page.textContent('#name')).toBe(DORA.name);
    await page.context().close();
  });

  it("with a wrong password, stays on Sesame's login page and the app has nobody signed in", async () => {
    const page = await toSesameLogin();
    await signIn(page, 'not the password');
    expect(new URL(page.url()).origin).toBe(sesameUrl);
    expect(await page.locator('input[name="password"]').count()).toBe(1);
    await page.goto(appUrl);
    expect(await page.textContent('#user')).toBe('Nobody is signed in.');
    expect(await page.locator('#name').count()).toBe(0);
    await page.context().close();
  });

  it('refuses the ID token of a client registered without --id-token-alg RS256 (ES256, not what it expects)', async () => {
    const page = await toSesameLogin(es256AppUrl);
    await signIn(page, DORA.password);
    await consentIfAsked(page, es256AppUrl);
    const callback = new URL(page.url());
    expect(`${callback.origin}${callback.pathname}`).toBe(`${es256AppUrl}/callback`);
    // openid-client's cause, 'unexpected JWT "alg" header parameter', is not passed on by the
    // library: the page has its code. The app of the first test differs only by the flag.
    expect(await page.textContent('#error')).toBe(
      'Sign-in failed: OAUTH_INVALID_RESPONSE: invalid response encountered',
    );
    await page.goto(es256AppUrl);
    expect(await page.textContent('#user')).toBe('Nobody is signed in.');
    await page.context().close();
  });
});
