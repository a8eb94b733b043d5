import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { openTempStore } from '@sesame/testkit/app';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';

/**
 * /docs in a real browser (Debian's chromium driven by playwright-core): no top bar, no console
 * error (a CSP violation would show there), only `openid` ticked in the Authorize dialog, the Basic
 * scheme labelled client_id / client_secret, and a login through the code flow with PKCE on
 * Sesame's own pages (the popup), after which the page calls /userinfo with the token.
 * Without chromium the test is skipped with a reason, or fails when SESAME_TEST_REQUIRE_SERVICES=1.
 */
const CHROMIUM = process.env.SESAME_TEST_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.SESAME_TEST_REQUIRE_SERVICES === '1') {
    throw new Error(`${CHROMIUM} is missing and SESAME_TEST_REQUIRE_SERVICES=1: apt-get install chromium`);
  }
  console.warn(`skipping the /docs browser test: ${CHROMIUM} is missing (apt-get install chromium)`);
}

let app: FastifyInstance;
let store: Awaited<ReturnType<typeof openTempStore>>;
let origin: string;
let browser: Browser | undefined;
let admin: { username: string; password: string };
const problems: string[] = [];

beforeAll(async () => {
  if (!available) return;
  store = await openTempStore();
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as { port: number }).port;
  await new Promise((done) => probe.close(done));
  const config = loadConfig({ values: { logLevel: 'silent', port } });
  app = await buildApp({ config, store, logger: false });
  origin = await app.listen({ host: '127.0.0.1', port });
  // As `sesame serve` does on a first start: the admin user and the sesame-docs client.
  admin = (await app.sesame.firstStart())!.admin!;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await store?.close();
});

function watch(page: Page): Page {
  page.on('console', (message) => {
    // The login pages link no icon, so chromium's own /favicon.ico request 404s: not the page's doing.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      problems.push(`${message.location().url}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  return page;
}

describe.skipIf(!available)('/docs in chromium', { timeout: 120_000 }, () => {
  it('has no top bar, no console error, openid alone ticked, and client_id / client_secret labels', async () => {
    const page = watch(await browser!.newPage());
    await page.goto(`${origin}/docs`);
    await page.waitForSelector('.swagger-ui .information-container');
    expect(await page.locator('.topbar').count()).toBe(0);
    expect(await page.locator('text=Explore').count()).toBe(0);
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.waitForSelector('.auth-container');
    expect(await page.locator('#openid-authorizationCode-checkbox-sesame').isChecked()).toBe(true);
    expect(await page.locator('#admin-authorizationCode-checkbox-sesame').isChecked()).toBe(false);
    expect(await page.locator('label[for="auth-basic-username"]').textContent()).toBe('client_id:');
    expect(await page.locator('label[for="auth-basic-password"]').textContent()).toBe('client_secret:');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('logs in with the code flow and PKCE through sesame-docs, then calls /userinfo', async () => {
    const page = watch(await browser!.newPage());
    await page.goto(`${origin}/docs`);
    await page.waitForSelector('.swagger-ui .information-container');
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.waitForSelector('.auth-container');
    const popupOpened = page.waitForEvent('popup');
    await page
      .locator('.auth-container')
      .filter({ hasText: 'authorizationCode with PKCE' })
      .getByRole('button', { name: 'Apply given OAuth2 credentials' })
      .click();
    const popup = watch(await popupOpened);
    await popup.waitForSelector('#username');
    const authorizeUrl = new URL(popup.url());
    expect(authorizeUrl.pathname).toBe('/oauth/authorize');
    expect(authorizeUrl.searchParams.get('client_id')).toBe('sesame-docs');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    await popup.fill('#username', admin.username);
    await popup.fill('#password', admin.password);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await popup.getByRole('button', { name: 'Allow' }).click();
    await popup.waitForEvent('close');
    await page.waitForSelector('.auth-container button:has-text("Logout")');
    await page.locator('.auth-btn-wrapper button.btn-done').first().click();

    await page.locator('#operations-account-get_userinfo').click();
    // tryItOutEnabled: the operation opens ready to execute.
    await page.getByRole('button', { name: 'Execute' }).click();
    const status = page
      .locator('#operations-account-get_userinfo .live-responses-table tbody .response-col_status')
      .first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    expect(problems).toEqual([]);
    await page.close();
  });
});
