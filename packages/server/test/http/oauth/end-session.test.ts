/**
 * The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0) over app.inject: a valid
 * id_token_hint of the signed-in session signs out at once and goes back to the registered
 * post-logout URI with `state`; anything less asks the user first (a CSRF-protected form); every
 * failed check is an error page that neither signs out nor redirects.
 */

import { createSigner, importJWK, type JWK } from '@sesame/jwt';
import { formFields } from '@sesame/testkit';
import { ADMIN, createTestApp, PageClient, type TestApp } from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  exchange,
  refreshStatus,
  signInTo,
  type Tokens,
  type WebClient,
  webClient,
} from '../../helpers/code-flow.js';

const BYE = 'https://client.example/bye';
const BYE_WITH_QUERY = 'https://client.example/bye?from=op';
let t: TestApp;
let web: WebClient;
let other: WebClient;

beforeEach(async () => {
  t = await createTestApp();
  web = await webClient(t, 'web-a', { postLogoutRedirectUris: [BYE, BYE_WITH_QUERY] });
  other = await webClient(t, 'web-b', { postLogoutRedirectUris: ['https://other.example/bye'] });
});
afterEach(() => t.close());

const logoutUrl = (params: Record<string, string>) => `/oauth/logout?${new URLSearchParams(params)}`;

/** A browser signed in to `web` (and to `other`, from the same session). */
async function signedIn(): Promise<{ browser: PageClient; tokens: Tokens; ofOther: Tokens }> {
  const browser = new PageClient(t.app);
  const tokens = await signInTo(t, browser, web);
  const ofOther = await signInTo(t, browser, other);
  return { browser, tokens, ofOther };
}

/** True while the browser's session lives: the authorization endpoint does not ask for a login. */
async function stillSignedIn(browser: PageClient): Promise<boolean> {
  const page = await browser.get(
    `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'web-a', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
  );
  return !page.body.includes('/oauth/authorize/login');
}

/** A token signed with the server's current key: what only the server (or its key's thief) can make. */
async function signedByServer(payload: Record<string, unknown>, typ = 'JWT'): Promise<string> {
  const current = (await t.store.listSigningKeys()).find((key) => key.state === 'current')!;
  const key = importJWK({ ...(JSON.parse(current.privateJwk) as JWK), kid: current.kid });
  return createSigner({ key, typ, issuedAt: false })(payload);
}

function expectErrorPage(answer: LightMyRequestResponse, words: RegExp) {
  expect(answer.statusCode).toBe(400);
  expect(answer.headers.location).toBeUndefined();
  expect(answer.body).toContain('This sign-out link cannot be used');
  expect(answer.body).toMatch(words);
}

describe('with a valid id_token_hint of the signed-in session', () => {
  it('signs out at once and goes back to the registered URI with state', async () => {
    const { browser, tokens, ofOther } = await signedIn();
    const state = 'st &=?/😀';
    const answer = await browser.get(
      logoutUrl({ id_token_hint: tokens.id_token, post_logout_redirect_uri: BYE, state }),
    );
    expect(answer.statusCode).toBe(302);
    const back = new URL(String(answer.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(BYE);
    expect([...back.searchParams]).toEqual([['state', state]]);
    expect(String(answer.headers['set-cookie'])).toMatch(/sesame-session=; .*Max-Age=0/);
    expect(await stillSignedIn(browser)).toBe(false);
    // Every client's refresh family born from the session ended with it.
    expect(await refreshStatus(t, web, tokens.refresh_token!)).toBe(400);
    expect(await refreshStatus(t, other, ofOther.refresh_token!)).toBe(400);
    const [event] = await t.store.listAuditEvents({ type: 'logout', limit: 1 });
    expect(event).toMatchObject({ clientId: 'web-a', details: { via: 'end_session', families: 2 } });
  });

  it('keeps the registered URI’s own query, adding state; shows a page when no URI was given', async () => {
    const first = await signedIn();
    const answer = await first.browser.get(
      logoutUrl({
        id_token_hint: first.tokens.id_token,
        post_logout_redirect_uri: BYE_WITH_QUERY,
        state: 's',
      }),
    );
    expect(answer.headers.location).toBe(`${BYE_WITH_QUERY}&state=s`);

    const second = await signedIn();
    const page = await second.browser.get(logoutUrl({ id_token_hint: second.tokens.id_token, state: 's' }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You are signed out');
    expect(await stillSignedIn(second.browser)).toBe(false);
  });

  it('takes an expired hint, and client_id when it is the hint’s client; logout_hint and ui_locales are taken', async () => {
    const { browser, tokens } = await signedIn();
    t.clock.advance(3 * 3_600_000);
    const answer = await browser.get(
      logoutUrl({
        id_token_hint: tokens.id_token,
        client_id: 'web-a',
        post_logout_redirect_uri: BYE,
        logout_hint: 'alice',
        ui_locales: 'fr-CA fr en',
      }),
    );
    expect(answer.statusCode).toBe(302);
    expect(answer.headers.location).toBe(BYE);
    expect(await stillSignedIn(browser)).toBe(false);
  });

  it('takes the same parameters in a POST form, answering 303', async () => {
    const { browser, tokens } = await signedIn();
    const answer = await browser.post('/oauth/logout', {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: BYE,
      state: 's',
    });
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe(`${BYE}?state=s`);
    expect(await stillSignedIn(browser)).toBe(false);
  });
});

describe('without a hint that proves the request', () => {
  it('asks first: GET with client_id only ends nothing until the form is posted', async () => {
    const { browser, tokens } = await signedIn();
    const page = await browser.get(
      logoutUrl({ client_id: 'web-a', post_logout_redirect_uri: BYE, state: 's' }),
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Sign out of Sesame?');
    expect(page.body).toContain('the web-a app');
    expect(await stillSignedIn(browser)).toBe(true);
    expect(await refreshStatus(t, web, tokens.refresh_token!)).toBe(200);
    // The form may send the browser to the client: its origin is allowed as a form action.
    expect(String(page.headers['content-security-policy'])).toContain(
      "form-action 'self' https://client.example",
    );

    const fields = formFields(page.body, '/oauth/logout/confirm');
    const answer = await browser.post('/oauth/logout/confirm', { ...fields, decision: 'logout' });
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe(`${BYE}?state=s`);
    expect(await stillSignedIn(browser)).toBe(false);
  });

  it('asks for no parameters at all, then shows the signed-out page', async () => {
    const { browser } = await signedIn();
    const page = await browser.get('/oauth/logout');
    expect(page.body).toContain('Sign out of Sesame?');
    const answer = await browser.post('/oauth/logout/confirm', {
      ...formFields(page.body, '/oauth/logout/confirm'),
      decision: 'logout',
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('You are signed out');
    expect(await stillSignedIn(browser)).toBe(false);
  });

  it('asks when the hint is another user’s, or of an earlier session of the same user', async () => {
    const admin = await t.services.users.find({ username: ADMIN.username });
    await t.services.users.change(admin!, { scopes: ['openid', 'admin', 'quiz'] }, 'test');
    const ofAdmin = await exchange(t, web, await authorize(new PageClient(t.app), 'web-a', {}, ADMIN));
    const { browser, tokens } = await signedIn();
    const asAdmin = await browser.get(logoutUrl({ id_token_hint: ofAdmin.id_token }));
    expect(asAdmin.body).toContain('Sign out of Sesame?');

    // The same user signs in again in this browser: the old ID token names the old session.
    await browser.post('/oauth/logout/confirm', {
      ...formFields(asAdmin.body, '/oauth/logout/confirm'),
      decision: 'logout',
    });
    await signInTo(t, browser, web);
    const oldHint = await browser.get(logoutUrl({ id_token_hint: tokens.id_token }));
    expect(oldHint.statusCode).toBe(200);
    expect(oldHint.body).toContain('Sign out of Sesame?');
    expect(await stillSignedIn(browser)).toBe(true);
  });

  it('refuses the form without its CSRF token, or with another; "stay" ends nothing', async () => {
    const { browser, tokens } = await signedIn();
    const page = await browser.get(logoutUrl({ client_id: 'web-a' }));
    const fields = formFields(page.body, '/oauth/logout/confirm');
    const { csrf_token: _token, ...noToken } = fields;
    for (const forged of [noToken, { ...fields, csrf_token: 'A'.repeat(43) }]) {
      const answer = await browser.post('/oauth/logout/confirm', { ...forged, decision: 'logout' });
      expect(answer.statusCode).toBe(403);
      expect(answer.body).toContain('This form has expired');
    }
    // A cross-site form post carries no cookie: no session and no CSRF cookie, so nothing ends.
    const crossSite = await t.app.inject({
      method: 'POST',
      url: '/oauth/logout/confirm',
      payload: new URLSearchParams({ ...fields, decision: 'logout' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(crossSite.statusCode).toBe(200);
    const stay = await browser.post('/oauth/logout/confirm', { ...fields, decision: 'stay' });
    expect(stay.body).toContain('You are still signed in');
    const neither = await browser.post('/oauth/logout/confirm', fields);
    expect(neither.statusCode).toBe(400);
    expect(await stillSignedIn(browser)).toBe(true);
    expect(await refreshStatus(t, web, tokens.refresh_token!)).toBe(200);
  });
});

describe('a browser with no session', () => {
  it('goes back to the client at once: there is nothing to end', async () => {
    const { tokens } = await signedIn();
    const stranger = await t.app.inject({
      url: logoutUrl({ id_token_hint: tokens.id_token, post_logout_redirect_uri: BYE, state: 's' }),
    });
    expect(stranger.statusCode).toBe(302);
    expect(stranger.headers.location).toBe(`${BYE}?state=s`);
    expect(await refreshStatus(t, web, tokens.refresh_token!)).toBe(200);
  });

  it('sends a cross-site POST (no SameSite=Lax cookie) on as a GET, which carries the cookie', async () => {
    const { browser, tokens } = await signedIn();
    const params = { id_token_hint: tokens.id_token, post_logout_redirect_uri: BYE, state: 's' };
    const crossSite = await t.app.inject({
      method: 'POST',
      url: '/oauth/logout',
      payload: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(crossSite.statusCode).toBe(303);
    expect(crossSite.headers.location).toBe(logoutUrl(params));
    expect(await stillSignedIn(browser)).toBe(true);
    const followed = await browser.get(String(crossSite.headers.location));
    expect(followed.headers.location).toBe(`${BYE}?state=s`);
    expect(await stillSignedIn(browser)).toBe(false);
  });
});

describe('refused requests: an error page, no sign-out, no redirect', () => {
  it('refuses a hint this server did not issue: forged, alg none, another issuer, an access token', async () => {
    const { browser, tokens } = await signedIn();
    const [h, p, s] = tokens.id_token.split('.');
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const hints = [
      `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`,
      `${h}.${b64({ ...claims, sub: 'someone-else' })}.${s}`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
      await signedByServer({ ...claims, iss: 'https://evil.example' }),
      tokens.access_token,
      'not-a-token',
    ];
    for (const id_token_hint of hints) {
      const answer = await browser.get(
        logoutUrl({ id_token_hint, post_logout_redirect_uri: BYE, state: 's' }),
      );
      expectErrorPage(answer, /id_token_hint is not an ID token issued by this server/);
    }
    expect(await stillSignedIn(browser)).toBe(true);
    // The same hint re-signed by the server's key is taken (the checks above are what refused).
    const resigned = await signedByServer(claims);
    const taken = await browser.get(logoutUrl({ id_token_hint: resigned }));
    expect(taken.statusCode).toBe(200);
    expect(taken.body).toContain('You are signed out');
  });

  it('refuses a client_id that is not the hint’s, and an unknown client', async () => {
    const { browser, tokens } = await signedIn();
    expectErrorPage(
      await browser.get(logoutUrl({ id_token_hint: tokens.id_token, client_id: 'web-b' })),
      /not the client the id_token_hint was issued to/,
    );
    expectErrorPage(await browser.get(logoutUrl({ client_id: 'nobody' })), /not registered/);
    expect(await stillSignedIn(browser)).toBe(true);
  });

  it('refuses a post_logout_redirect_uri that is not registered exactly, or without a client', async () => {
    const { browser, tokens } = await signedIn();
    for (const uri of [
      'https://evil.example/bye',
      'https://client.example/bye/', // a prefix match would take it
      'https://client.example/byebye',
      'https://client.example/BYE', // another case
      'https://CLIENT.example/bye',
      'https://client.example/bye?next=https://evil.example', // an extra query
      'https://client.example/bye#x',
      'http://client.example/bye',
      'https://other.example/bye', // another client's
    ]) {
      const requests: Record<string, string>[] = [
        { id_token_hint: tokens.id_token, post_logout_redirect_uri: uri },
        { client_id: 'web-a', post_logout_redirect_uri: uri },
      ];
      for (const params of requests) {
        expectErrorPage(await browser.get(logoutUrl(params)), /post_logout_redirect_uri is not registered/);
      }
    }
    expectErrorPage(await browser.get(logoutUrl({ post_logout_redirect_uri: BYE })), /needs the client/);
    expect(await stillSignedIn(browser)).toBe(true);
  });

  it('refuses a repeated parameter, an over-long one, and a POST that is not a form', async () => {
    const { browser, tokens } = await signedIn();
    expectErrorPage(await browser.get(`/oauth/logout?client_id=web-a&client_id=web-b`), /malformed/);
    expectErrorPage(await browser.get(logoutUrl({ state: 'x'.repeat(8193) })), /malformed/);
    const json = await t.app.inject({
      method: 'POST',
      url: '/oauth/logout',
      payload: { id_token_hint: tokens.id_token },
      headers: { cookie: browser.cookieHeader },
    });
    expectErrorPage(json, /malformed/);
    expect(await stillSignedIn(browser)).toBe(true);
  });
});
