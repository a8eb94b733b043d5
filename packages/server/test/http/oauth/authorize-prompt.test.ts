/**
 * OpenID Connect's prompt, max_age and login_hint on the authorization request (Core 1.0
 * §3.1.2.1, §3.1.2.6), through app.inject: prompt=none never shows a page, prompt=login and an old
 * login ask the password again (and the ID token's auth_time is the new login), prompt=consent asks
 * again, and the hint only prefills.
 */
import { authorizeUrl, formFields, pkce, signIn } from '@sesame/testkit';
import {
  ALICE,
  createTestApp,
  locationParams,
  PageClient,
  postForm,
  type TestApp,
} from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorizeParams,
  expectErrorBack,
  isConsentPage,
  isLoginPage,
  REDIRECT,
  registerWebClient,
  signedInBrowser,
} from '../../helpers/authorize.js';

const STATE = 'st-9';
const MINUTE = 60_000;
let t: TestApp;
let secret: string;

beforeEach(async () => {
  t = await createTestApp();
  secret = (await registerWebClient(t, 'quiz-web'))!;
});
afterEach(() => t.close());

const params = authorizeParams({ state: STATE });

/** The auth_time of the ID token the code of `back` gives. */
async function authTimeOf(back: LightMyRequestResponse, verifier: string): Promise<number> {
  const response = await postForm(t.app, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'quiz-web',
    client_secret: secret,
    code: locationParams(back).get('code') ?? '',
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  });
  expect(response.statusCode, response.body).toBe(200);
  return decodeJwt(response.json().id_token).auth_time as number;
}

describe('prompt=none', () => {
  it('without a session: login_required back to the client, with state and iss, no page', async () => {
    expectErrorBack(await new PageClient(t.app).get(authorizeUrl(params({ prompt: 'none' }))), {
      error: 'login_required',
      state: STATE,
    });
  });

  it('with a session but no consent: consent_required', async () => {
    const browser = new PageClient(t.app);
    await signIn(browser, authorizeUrl(params()), ALICE);
    expectErrorBack(await browser.get(authorizeUrl(params({ prompt: 'none' }))), {
      error: 'consent_required',
      state: STATE,
    });
  });

  it('with a session and a consent: a code at once', async () => {
    const browser = await signedInBrowser(t, params());
    const back = await browser.get(authorizeUrl(params({ prompt: 'none' })));
    expect(back.statusCode).toBe(302);
    expect(locationParams(back).get('code')).toMatch(/^[\w-]{43}$/);
    expect(locationParams(back).get('state')).toBe('st-9');
  });

  it('with a login older than max_age: login_required', async () => {
    const browser = await signedInBrowser(t, params());
    t.clock.advance(10 * MINUTE);
    const url = authorizeUrl(params({ prompt: 'none', max_age: '300' }));
    expectErrorBack(await browser.get(url), { error: 'login_required', state: STATE });
  });

  it('an unverified redirect URI is still an error page, never a redirect', async () => {
    const response = await new PageClient(t.app).get(
      authorizeUrl(params({ prompt: 'none', redirect_uri: 'https://evil.example/cb' })),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });
});

describe('prompt=login, select_account and max_age ask the password again', () => {
  it('prompt=login with a live session: the login page, then a code whose auth_time is the new login', async () => {
    const browser = await signedInBrowser(t, params());
    t.clock.advance(10 * MINUTE);
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(params({ prompt: 'login', nonce: 'n-1' }, challenge));
    const { page, signedIn } = await signIn(browser, url, ALICE);
    expect(isLoginPage(page)).toBe(true);
    expect(signedIn.statusCode).toBe(303);
    // No loop: after the password the flow goes on (consent is remembered: straight to the code).
    const back = await browser.get(String(signedIn.headers.location));
    expect(back.statusCode, back.body).toBe(302);
    expect(await authTimeOf(back, verifier)).toBe(Math.floor(t.clock.now() / 1000));
  });

  it('select_account is a password prompt too', async () => {
    const browser = await signedInBrowser(t, params());
    expect(isLoginPage(await browser.get(authorizeUrl(params({ prompt: 'select_account' }))))).toBe(true);
  });

  it('a login older than max_age: the login page; a recent one: a code', async () => {
    const browser = await signedInBrowser(t, params());
    t.clock.advance(2 * MINUTE);
    expect((await browser.get(authorizeUrl(params({ max_age: '300' })))).statusCode).toBe(302);
    t.clock.advance(4 * MINUTE);
    const url = authorizeUrl(params({ max_age: '300' }));
    const { page, signedIn } = await signIn(browser, url, ALICE);
    expect(isLoginPage(page)).toBe(true);
    const back = await browser.get(String(signedIn.headers.location));
    expect(locationParams(back).get('code')).toBeTruthy();
  });

  it('max_age=0 is prompt=login, and does not loop once the password is given', async () => {
    const browser = await signedInBrowser(t, params());
    const url = authorizeUrl(params({ max_age: '0' }));
    const { page, signedIn } = await signIn(browser, url, ALICE);
    expect(isLoginPage(page)).toBe(true);
    t.clock.advance(1500); // the next request comes later than the login
    const back = await browser.get(String(signedIn.headers.location));
    expect(locationParams(back).get('code'), back.body).toBeTruthy();
  });
});

describe('prompt=consent', () => {
  it('shows the consent page although a remembered consent covers the scopes, and the form goes on', async () => {
    const browser = await signedInBrowser(t, params());
    const page = await browser.get(authorizeUrl(params({ prompt: 'consent' })));
    expect(isConsentPage(page)).toBe(true);
    const back = await browser.post('/oauth/authorize/consent', {
      ...formFields(page.body, '/oauth/authorize/consent'),
      decision: 'allow',
    });
    expect(locationParams(back).get('code')).toBeTruthy();
  });

  it('a consent form posted once the login is older than max_age goes back to the login, not to a code', async () => {
    const browser = await signedInBrowser(t, params());
    const page = await browser.get(authorizeUrl(params({ prompt: 'consent', max_age: '300' })));
    expect(isConsentPage(page)).toBe(true);
    t.clock.advance(10 * MINUTE);
    const back = await browser.post('/oauth/authorize/consent', {
      ...formFields(page.body, '/oauth/authorize/consent'),
      decision: 'allow',
    });
    expect(back.statusCode).toBe(303);
    expect(String(back.headers.location)).toMatch(/^\/oauth\/authorize\?/);
    expect(isLoginPage(await browser.get(String(back.headers.location)))).toBe(true);
  });

  it('prompt="login consent": the password, then the consent page', async () => {
    const browser = await signedInBrowser(t, params());
    const { page, signedIn } = await signIn(
      browser,
      authorizeUrl(params({ prompt: 'login consent' })),
      ALICE,
    );
    expect(isLoginPage(page)).toBe(true);
    expect(isConsentPage(await browser.get(String(signedIn.headers.location)))).toBe(true);
  });
});

describe('login_hint', () => {
  it('prefills the username, HTML-escaped, and still asks the password', async () => {
    const hint = '"><script>alert(1)</script>';
    const page = await new PageClient(t.app).get(authorizeUrl(params({ login_hint: hint })));
    expect(isLoginPage(page)).toBe(true);
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    // The stable fields and button a script fills in; the password is never prefilled.
    expect(page.body).toMatch(/<input id="password" name="password" type="password"[^>]*required/);
    expect(page.body).toContain('<button type="submit" id="sign-in"');
  });

  it('prefills a plain username; a hint longer than a username prefills nothing', async () => {
    const browser = new PageClient(t.app);
    const page = await browser.get(authorizeUrl(params({ login_hint: 'alice' })));
    expect(page.body).toMatch(/<input id="username" name="username"[^>]* value="alice"/);
    const long = await browser.get(authorizeUrl(params({ login_hint: 'a'.repeat(300) })));
    expect(long.body).toMatch(/<input id="username" name="username"[^>]* value=""/);
  });
});

describe('malformed values: invalid_request back to the client', () => {
  for (const [name, extra] of [
    ['none with login', { prompt: 'none login' }],
    ['none with consent', { prompt: 'consent none' }],
    ['an unknown prompt value', { prompt: 'login create' }],
    ['a negative max_age', { max_age: '-1' }],
    ['a fractional max_age', { max_age: '1.5' }],
    ['a max_age that is not a number', { max_age: 'soon' }],
  ] as const) {
    it(name, async () => {
      expectErrorBack(await new PageClient(t.app).get(authorizeUrl(params(extra))), {
        error: 'invalid_request',
        state: STATE,
      });
    });
  }
});
