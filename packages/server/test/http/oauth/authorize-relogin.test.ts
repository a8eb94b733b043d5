/**
 * Signing in again on the login page (prompt=login, max_age, or another user on the same browser)
 * ends the browser's previous session record, so a copy of the old cookie is refused; the same
 * user keeps the session's sid and what was born from it, another user's session ends as a logout.
 */
import { authorizeUrl, formFields, pkce, signIn } from '@sesame/testkit';
import { ALICE, createTestApp, locationParams, PageClient, type TestApp } from '@sesame/testkit/app';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  exchange,
  REDIRECT,
  refreshStatus,
  type WebClient,
  webClient,
} from '../../helpers/code-flow.js';

const SESSION = 'sesame-session';
const BOB = { username: 'bob', password: 'bob password 12' };
let t: TestApp;
let web: WebClient;

beforeEach(async () => {
  t = await createTestApp();
  web = await webClient(t, 'web-a');
  await t.services.users.create({ ...BOB, scopes: ['openid', 'quiz'] }, 'test');
});
afterEach(() => t.close());

function params(extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: web.id,
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'st',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** A browser holding only a copy of this session cookie. */
function withCookie(value: string): PageClient {
  const copy = new PageClient(t.app);
  copy.cookies.set(SESSION, value);
  return copy;
}

/** Whether a browser's session still serves a silent request (a code, not login_required). */
async function sessionLives(browser: PageClient): Promise<boolean> {
  const back = await browser.get(authorizeUrl(params({ prompt: 'none' })));
  const query = locationParams(back);
  expect(query.get('code') !== null || query.get('error') === 'login_required', back.body).toBe(true);
  return query.get('code') !== null;
}

/** Signs alice in on the login page again (the request's prompt or max_age asks for it). */
async function signInAgain(browser: PageClient, extra: Record<string, string>, user = ALICE) {
  const { page, signedIn } = await signIn(browser, authorizeUrl(params(extra)), user);
  expect(page.body).toContain('action="/oauth/authorize/login"');
  expect(signedIn.statusCode).toBe(303);
  return signedIn;
}

describe('a new login ends the previous browser session', () => {
  it.each([
    ['prompt=login', { prompt: 'login' }],
    ['max_age=0', { max_age: '0' }],
    ['prompt=select_account', { prompt: 'select_account' }],
  ])('%s: the old cookie is refused afterwards, the new one works', async (_name, extra) => {
    const browser = new PageClient(t.app);
    const tokens = await exchange(t, web, await authorize(browser, web.id));
    const old = browser.cookies.get(SESSION)!;
    expect(await sessionLives(withCookie(old))).toBe(true);

    await signInAgain(browser, extra);
    const renewed = browser.cookies.get(SESSION)!;
    expect(renewed).not.toBe(old);
    expect(await sessionLives(withCookie(old))).toBe(false);
    expect(await sessionLives(browser)).toBe(true);
    // The same user: a re-authentication, not a logout. What the session gave stays.
    expect(await refreshStatus(t, web, tokens.refresh_token!)).toBe(200);
  });

  it('the same user keeps the session’s sid in the ID tokens', async () => {
    const browser = new PageClient(t.app);
    const before = await exchange(t, web, await authorize(browser, web.id));
    t.clock.advance(60_000);
    await signInAgain(browser, { prompt: 'login' });
    const after = await exchange(t, web, await authorize(browser, web.id));
    expect(decodeJwt(after.id_token).sid).toBe(decodeJwt(before.id_token).sid);
    const authTime = (token: string) => decodeJwt(token).auth_time as number;
    expect(authTime(after.id_token)).toBe(authTime(before.id_token) + 60);
  });

  it('another user signing in on the same browser ends the first one’s session as a logout', async () => {
    const browser = new PageClient(t.app);
    const tokens = await exchange(t, web, await authorize(browser, web.id));
    const old = browser.cookies.get(SESSION)!;
    const sid = decodeJwt(tokens.id_token).sid;

    await signInAgain(browser, { prompt: 'login' }, BOB);
    expect(await sessionLives(withCookie(old))).toBe(false);
    expect(await refreshStatus(t, web, tokens.refresh_token!)).toBe(400);
    const bobs = await exchange(t, web, await authorize(browser, web.id, {}, BOB));
    expect(decodeJwt(bobs.id_token).sid).not.toBe(sid);
    const events = await t.services.auditTrail.list({ type: 'logout', limit: 10 });
    expect(events.map((event) => [event.actor, event.details])).toContainEqual([
      t.aliceId,
      expect.objectContaining({ via: 'login', sid }),
    ]);
  });

  it('a wrong password on the login page ends nothing', async () => {
    const browser = new PageClient(t.app);
    await authorize(browser, web.id);
    const old = browser.cookies.get(SESSION)!;
    const page = await browser.get(authorizeUrl(params({ prompt: 'login' })));
    const failed = await browser.post('/oauth/authorize/login', {
      ...formFields(page.body, '/oauth/authorize/login'),
      username: ALICE.username,
      password: 'not the password',
    });
    expect(failed.statusCode).toBe(400);
    expect(await sessionLives(withCookie(old))).toBe(true);
  });
});
