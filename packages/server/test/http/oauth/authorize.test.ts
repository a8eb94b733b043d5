/**
 * The authorization endpoint's pages and checks, through app.inject: login, consent, codes,
 * CSRF, throttling, and every error that must be a page rather than a redirect.
 */

import { authorizeUrl, formFields, pkce, signIn, signInAndConsent } from '@sesame/testkit';
import {
  ALICE,
  createTestApp,
  locationParams,
  loginAdmin,
  PageClient,
  postForm,
  type TestApp,
} from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIRECT } from '../../helpers/authorize.js';

let t: TestApp;
let webSecret: string;
const ISSUER = 'http://127.0.0.1:8080';

beforeEach(async () => {
  t = await createTestApp();
  const web = await t.services.clients.create(
    {
      name: 'Quiz <Web>',
      clientId: 'quiz-web',
      type: 'confidential',
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'quiz', 'admin'],
      redirectUris: [REDIRECT, 'https://client.example/other'],
    },
    'test',
  );
  webSecret = web.clientSecret!;
  await t.services.clients.create(
    {
      name: 'Quiz SPA',
      clientId: 'quiz-spa',
      type: 'public',
      grantTypes: ['authorization_code'],
      scopes: ['openid', 'quiz'],
      redirectUris: ['http://127.0.0.1:9999/cb?app=spa'],
    },
    'test',
  );
});
afterEach(() => t.close());

function request(overrides: Record<string, string | undefined> = {}, challenge = pkce().challenge) {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: 'quiz-web',
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'st-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

/** Logs alice in and consents; answers the redirect to the client. */
async function authorize(browser: PageClient, params: Record<string, string>) {
  const {
    page: login,
    signedIn: loggedIn,
    consent,
    back,
  } = await signInAndConsent(browser, authorizeUrl(params), ALICE);
  expect(login.statusCode, login.body).toBe(200);
  expect(loggedIn.statusCode, loggedIn.body).toBe(303);
  expect(consent.statusCode, consent.body).toBe(200);
  return back;
}

function exchange(fields: Record<string, string>, secret: string | undefined = webSecret) {
  return postForm(t.app, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'quiz-web',
    ...(secret ? { client_secret: secret } : {}),
    ...fields,
  });
}

function expectErrorPage(response: LightMyRequestResponse, pattern: RegExp) {
  expect(response.statusCode).toBe(400);
  expect(response.headers.location).toBeUndefined();
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(response.body).toMatch(pattern);
}

describe('the code flow through the pages', () => {
  it('logs in, consents, redirects with code, state and iss; the code gives tokens that refresh', async () => {
    const browser = new PageClient(t.app);
    const { verifier, challenge } = pkce();
    const params = request({}, challenge);
    const login = await browser.get(authorizeUrl(params));
    expect(login.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(login.headers['cache-control']).toBe('no-store');
    expect(login.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' https://client.example; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(login.body).not.toMatch(/<script|style=|\son\w+=/i);
    expect(login.body).toContain('<label for="username">');
    expect(login.body).toContain('<label for="password">');
    expect(login.body).toContain('Quiz &lt;Web&gt;'); // the client's name is escaped

    const redirect = await authorize(browser, params);
    expect(redirect.statusCode).toBe(303);
    const location = new URL(String(redirect.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('iss')).toBe(ISSUER);
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[\w-]{43}$/);

    const tokens = await exchange({ code, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(tokens.headers['cache-control']).toBe('no-store');
    const body = tokens.json();
    expect(body.scope).toBe('openid quiz');
    const claims = t.services.accessTokens.verify(body.access_token);
    expect(claims.sub).toBe(t.aliceId);
    expect(claims.client_id).toBe('quiz-web');

    const refreshed = await postForm(t.app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: 'quiz-web',
      client_secret: webSecret,
    });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
  });

  it('remembers consent: the next request goes straight back with a code (302)', async () => {
    const browser = new PageClient(t.app);
    await authorize(browser, request({ scope: 'openid' }));
    const again = await browser.get(authorizeUrl(request({ scope: 'openid', state: 'second' })));
    expect(again.statusCode).toBe(302);
    expect(locationParams(again).get('code')).toMatch(/^[\w-]{43}$/);
    expect(locationParams(again).get('state')).toBe('second');
    // A scope not consented to yet asks again.
    const more = await browser.get(authorizeUrl(request({ scope: 'openid quiz' })));
    expect(more.statusCode).toBe(200);
    expect(more.body).toContain('Allow');
  });

  it('grants only the scopes the user holds (alice has no admin)', async () => {
    const browser = new PageClient(t.app);
    const { verifier, challenge } = pkce();
    const redirect = await authorize(browser, request({ scope: 'openid admin' }, challenge));
    const code = locationParams(redirect).get('code')!;
    const tokens = await exchange({ code, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(tokens.json().scope).toBe('openid');
  });

  it('sends access_denied back when the user denies, and issues no code', async () => {
    const browser = new PageClient(t.app);
    const { back: denied } = await signInAndConsent(browser, authorizeUrl(request()), ALICE, 'deny');
    expect(denied.statusCode).toBe(303);
    expect(locationParams(denied).get('error')).toBe('access_denied');
    expect(locationParams(denied).get('state')).toBe('st-123');
    expect(locationParams(denied).get('code')).toBeNull();
  });

  it('sets the session cookie HttpOnly and SameSite=Lax; Secure with __Host- behind https', async () => {
    const browser = new PageClient(t.app);
    const { signedIn: response } = await signIn(browser, authorizeUrl(request()), ALICE);
    const cookie = [response.headers['set-cookie']]
      .flat()
      .find((c) => String(c).startsWith('sesame-session='));
    expect(cookie).toMatch(/; HttpOnly; SameSite=Lax$/);

    const secure = await createTestApp({ issuer: 'https://login.example' });
    try {
      await secure.services.clients.create(
        {
          name: 'web',
          clientId: 'quiz-web',
          type: 'public',
          grantTypes: ['authorization_code'],
          scopes: ['openid'],
          redirectUris: [REDIRECT],
        },
        'test',
      );
      const other = new PageClient(secure.app);
      const page = await other.get(authorizeUrl(request({ scope: 'openid' })));
      expect([page.headers['set-cookie']].flat().join('\n')).toMatch(
        /^__Host-sesame-csrf=[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax; Secure$/,
      );
      const loggedIn = await other.post('/oauth/authorize/login', {
        ...formFields(page.body, '/oauth/authorize/login'),
        ...ALICE,
      });
      expect(loggedIn.statusCode).toBe(303);
      expect([loggedIn.headers['set-cookie']].flat().join('\n')).toMatch(
        /^__Host-sesame-session=.*; HttpOnly; SameSite=Lax; Secure$/,
      );
    } finally {
      await secure.close();
    }
  });

  it('signs out from the consent page and shows the login page again', async () => {
    const browser = new PageClient(t.app);
    await signIn(browser, authorizeUrl(request()), ALICE);
    const consent = await browser.get(authorizeUrl(request()));
    const out = await browser.post(
      '/oauth/authorize/logout',
      formFields(consent.body, '/oauth/authorize/logout'),
    );
    expect(out.statusCode).toBe(303);
    const page = await browser.get(String(out.headers.location));
    expect(page.body).toContain('action="/oauth/authorize/login"');
  });
});

describe('browser sessions are records on the server', () => {
  /** Logs alice in on the pages; answers the browser and the authorize URL of the request. */
  async function signedIn(password = ALICE.password) {
    const browser = new PageClient(t.app);
    const url = authorizeUrl(request());
    await signIn(browser, url, { username: ALICE.username, password });
    const consent = await browser.get(url);
    expect(consent.body).toContain('action="/oauth/authorize/consent"');
    return { browser, url, consent };
  }
  /** What a request with only this cookie header is shown: the consent page (signed in) or the login page. */
  const shown = async (url: string, cookie: string) => {
    const page = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    return page.body.includes('action="/oauth/authorize/consent"') ? 'consent' : 'login';
  };

  it('a copied session cookie is refused after logout', async () => {
    const { browser, url, consent } = await signedIn();
    const copied = browser.cookieHeader;
    expect(await shown(url, copied)).toBe('consent');
    const out = await browser.post(
      '/oauth/authorize/logout',
      formFields(consent.body, '/oauth/authorize/logout'),
    );
    expect(out.statusCode).toBe(303);
    expect(await shown(url, copied)).toBe('login');
  });

  it('a password change or disabling the user ends their browser sessions', async () => {
    const admin = { authorization: `Bearer ${await loginAdmin(t)}` };
    const patch = (body: Record<string, unknown>) =>
      t.app.inject({ method: 'PATCH', url: `/admin/users/${t.aliceId}`, headers: admin, payload: body });
    const first = await signedIn();
    expect((await patch({ password: 'a brand new password' })).statusCode).toBe(200);
    expect(await shown(first.url, first.browser.cookieHeader)).toBe('login');
    const second = await signedIn('a brand new password');
    expect((await patch({ disabled: true })).statusCode).toBe(200);
    expect((await patch({ disabled: false })).statusCode).toBe(200);
    expect(await shown(second.url, second.browser.cookieHeader)).toBe('login');
  });

  it('the cookie holds a random token; the store keeps only its hash', async () => {
    const { browser } = await signedIn();
    const token = browser.cookies.get('sesame-session')!;
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(token).not.toContain(t.aliceId);
    const { createHash } = await import('node:crypto');
    const id = createHash('sha256').update(token).digest('base64url');
    expect(await t.store.findBrowserSession(token, t.clock.now())).toBeUndefined();
    expect(await t.store.findBrowserSession(id, t.clock.now())).toMatchObject({ userId: t.aliceId });
  });
});

describe('errors shown on a page, never redirected', () => {
  it.each([
    ['no client_id', { client_id: undefined }, /client_id parameter is missing/],
    ['an unknown client', { client_id: 'nobody' }, /client is not known/],
    ['a redirect_uri not registered', { redirect_uri: 'https://evil.example/callback' }, /not registered/],
    ['a redirect_uri differing in one character', { redirect_uri: `${REDIRECT}/` }, /not registered/],
    [
      'no redirect_uri when two are registered',
      { redirect_uri: undefined },
      /redirect_uri parameter is missing/,
    ],
    ['a client without any redirect URI', { client_id: 'quiz-app', redirect_uri: undefined }, /missing/],
  ])('%s', async (_name, overrides, pattern) => {
    const response = await t.app.inject({ method: 'GET', url: authorizeUrl(request(overrides)) });
    expectErrorPage(response, pattern);
    expect(response.headers['content-security-policy']).toContain("form-action 'self'");
  });

  it('a repeated parameter', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `${authorizeUrl(request())}&redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    });
    expectErrorPage(response, /malformed/);
  });

  it('a form post with a wrong redirect_uri is a page too', async () => {
    const browser = new PageClient(t.app);
    const login = await browser.get(authorizeUrl(request()));
    const fields = formFields(login.body, '/oauth/authorize/login');
    const response = await browser.post('/oauth/authorize/login', {
      ...fields,
      redirect_uri: 'https://evil.example/callback',
      ...ALICE,
    });
    expectErrorPage(response, /not registered/);
  });
});

describe('errors redirected to the verified redirect URI', () => {
  it.each([
    ['no code_challenge (PKCE required)', { code_challenge: undefined }, 'invalid_request', /PKCE/],
    ['code_challenge_method plain', { code_challenge_method: 'plain' }, 'invalid_request', /S256/],
    [
      'no code_challenge_method (defaults to plain)',
      { code_challenge_method: undefined },
      'invalid_request',
      /S256/,
    ],
    ['a malformed code_challenge', { code_challenge: 'short' }, 'invalid_request', /base64url/],
    ['response_type token', { response_type: 'token' }, 'unsupported_response_type', /code/],
    ['no response_type', { response_type: undefined }, 'invalid_request', /response_type/],
    ['a scope the client may not have', { scope: 'openid payroll' }, 'invalid_scope', /payroll/],
    ['a malformed scope', { scope: 'a"b' }, 'invalid_scope', /malformed/],
  ])('%s', async (_name, overrides, error, description) => {
    const response = await t.app.inject({ method: 'GET', url: authorizeUrl(request(overrides)) });
    expect(response.statusCode).toBe(302);
    const location = new URL(String(response.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('error_description')).toMatch(description);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('iss')).toBe(ISSUER);
  });

  it('unauthorized_client for a client without the authorization_code grant; the registered query is kept', async () => {
    await t.services.clients.create(
      {
        name: 'pw only',
        clientId: 'pw-only',
        type: 'public',
        grantTypes: ['password'],
        redirectUris: ['https://pw.example/cb?x=1'],
      },
      'test',
    );
    const response = await t.app.inject({
      method: 'GET',
      url: authorizeUrl(request({ client_id: 'pw-only', redirect_uri: undefined })),
    });
    expect(response.statusCode).toBe(302);
    expect(String(response.headers.location)).toMatch(
      /^https:\/\/pw\.example\/cb\?x=1&error=unauthorized_client&/,
    );
  });
});

describe('CSRF and throttling on the forms', () => {
  async function loginPage(browser: PageClient) {
    const page = await browser.get(authorizeUrl(request()));
    return formFields(page.body, '/oauth/authorize/login');
  }

  it('refuses a login without a CSRF token, with a wrong one, and without the CSRF cookie', async () => {
    const browser = new PageClient(t.app);
    const fields = await loginPage(browser);
    const { csrf_token: _token, ...withoutToken } = fields;
    for (const attempt of [withoutToken, { ...fields, csrf_token: 'x'.repeat(43) }]) {
      const response = await browser.post('/oauth/authorize/login', { ...attempt, ...ALICE });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('This form has expired');
      expect(String(response.headers['set-cookie'] ?? '')).not.toContain('sesame-session=');
    }
    const stranger = new PageClient(t.app); // a cross-site post carries no cookie of ours
    const response = await stranger.post('/oauth/authorize/login', { ...fields, ...ALICE });
    expect(response.statusCode).toBe(403);
    expect(stranger.cookies.has('sesame-session')).toBe(false);
  });

  it('refuses a consent with a missing or wrong CSRF token, and issues no code', async () => {
    const browser = new PageClient(t.app);
    const fields = await loginPage(browser);
    await browser.post('/oauth/authorize/login', { ...fields, ...ALICE });
    const consent = await browser.get(authorizeUrl(request()));
    const consentFields = formFields(consent.body, '/oauth/authorize/consent');
    for (const csrf_token of ['', 'wrong']) {
      const response = await browser.post('/oauth/authorize/consent', {
        ...consentFields,
        csrf_token,
        decision: 'allow',
      });
      expect(response.statusCode).toBe(403);
      expect(response.headers.location).toBeUndefined();
    }
    expect(await t.store.findConsent(t.aliceId, 'quiz-web')).toBeUndefined();
  });

  it('refuses a logout with a wrong CSRF token (the session stays)', async () => {
    const browser = new PageClient(t.app);
    await browser.post('/oauth/authorize/login', { ...(await loginPage(browser)), ...ALICE });
    const consent = await browser.get(authorizeUrl(request()));
    const out = await browser.post('/oauth/authorize/logout', {
      ...formFields(consent.body, '/oauth/authorize/logout'),
      csrf_token: 'wrong',
    });
    expect(out.statusCode).toBe(403);
    expect(browser.cookies.has('sesame-session')).toBe(true);
  });

  it('says a wrong password on the page, and throttles like the password grant (429, Retry-After)', async () => {
    const browser = new PageClient(t.app);
    const fields = await loginPage(browser);
    const wrong = await browser.post('/oauth/authorize/login', {
      ...fields,
      username: 'alice',
      password: 'nope',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('The username or the password is wrong.');
    expect(wrong.body).toContain('aria-invalid="true"');
    expect(wrong.body).toContain('value="alice"');
    for (let i = 0; i < 5; i++) {
      await browser.post('/oauth/authorize/login', { ...fields, username: 'alice', password: 'nope' });
    }
    const throttled = await browser.post('/oauth/authorize/login', { ...fields, ...ALICE });
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.body).toContain('Too many failed sign-ins');
    // The password grant shares the counter.
    const grant = await postForm(t.app, '/oauth/token', {
      grant_type: 'password',
      client_id: t.publicId,
      ...ALICE,
    });
    expect(grant.statusCode).toBe(429);
    t.clock.advance(60_000);
    const later = await browser.post('/oauth/authorize/login', { ...fields, ...ALICE });
    expect(later.statusCode).toBe(303);
  });

  it('asks for both fields when one is empty', async () => {
    const browser = new PageClient(t.app);
    const response = await browser.post('/oauth/authorize/login', {
      ...(await loginPage(browser)),
      username: 'alice',
      password: '',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Enter your username and your password.');
  });
});

describe('the authorization_code grant', () => {
  async function codeFor(params = request(), browser = new PageClient(t.app)) {
    const redirect = await authorize(browser, params);
    return locationParams(redirect).get('code')!;
  }

  it('refuses a wrong verifier without spending the code', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(request({}, challenge));
    const wrong = await exchange({ code, code_verifier: pkce().verifier, redirect_uri: REDIRECT });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/code_verifier/),
    });
    const right = await exchange({ code, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(right.statusCode).toBe(200);
  });

  it('requires code_verifier (invalid_request) and code', async () => {
    const code = await codeFor();
    const response = await exchange({ code, redirect_uri: REDIRECT });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
    const noCode = await exchange({ code_verifier: pkce().verifier });
    expect(noCode.json().error).toBe('invalid_request');
  });

  it('refuses a missing or different redirect_uri', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(request({}, challenge));
    for (const redirect_uri of [undefined, 'https://client.example/other']) {
      const response = await exchange({
        code,
        code_verifier: verifier,
        ...(redirect_uri ? { redirect_uri } : {}),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error_description).toMatch(/redirect_uri/);
    }
  });

  it('refuses a code after 60 seconds', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(request({}, challenge));
    t.clock.advance(60_001);
    const response = await exchange({ code, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(response.json()).toEqual({ error: 'invalid_grant', error_description: 'the code has expired' });
  });

  it('refuses a code issued to another client, and an unknown code', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(request({}, challenge));
    const other = await postForm(t.app, '/oauth/token', {
      grant_type: 'authorization_code',
      client_id: t.confidential.id,
      client_secret: t.confidential.secret,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    });
    // quiz-backend may not use the grant at all; give it the grant to reach the binding check.
    expect(other.json().error).toBe('unauthorized_client');
    await t.store.updateClient(t.confidential.id, {
      grantTypes: ['authorization_code'],
      updatedAt: t.clock.now(),
    });
    t.clock.advance(1_001); // past the client service's one-second memory
    const bound = await postForm(t.app, '/oauth/token', {
      grant_type: 'authorization_code',
      client_id: t.confidential.id,
      client_secret: t.confidential.secret,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    });
    expect(bound.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'the code was issued to another client',
    });
    const unknown = await exchange({ code: 'x'.repeat(43), code_verifier: verifier, redirect_uri: REDIRECT });
    expect(unknown.json().error).toBe('invalid_grant');
    // Still good for its own client.
    expect((await exchange({ code, code_verifier: verifier, redirect_uri: REDIRECT })).statusCode).toBe(200);
  });

  it('a second use of a code fails and revokes the refresh token and the access token it gave', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor(request({}, challenge));
    const first = await exchange({ code, code_verifier: verifier, redirect_uri: REDIRECT });
    const tokens = first.json();
    const introspect = (token: string) =>
      postForm(t.app, '/oauth/introspect', { token, client_id: 'quiz-web', client_secret: webSecret });
    expect((await introspect(tokens.access_token)).json().active).toBe(true);

    const second = await exchange({ code, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(second.statusCode).toBe(400);
    expect(second.json()).toEqual({ error: 'invalid_grant', error_description: 'the code was already used' });

    expect((await introspect(tokens.access_token)).json().active).toBe(false);
    const refresh = await postForm(t.app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: 'quiz-web',
      client_secret: webSecret,
    });
    expect(refresh.json().error).toBe('invalid_grant');
    const audit = await t.store.listAuditEvents({ type: 'code.reuse', limit: 5 });
    expect(audit).toHaveLength(1);
  });

  it('a public client exchanges its code with PKCE alone; its registered query is kept', async () => {
    const { verifier, challenge } = pkce();
    const redirectUri = 'http://127.0.0.1:9999/cb?app=spa';
    const browser = new PageClient(t.app);
    const redirect = await authorize(
      browser,
      request({ client_id: 'quiz-spa', redirect_uri: undefined }, challenge),
    );
    expect(String(redirect.headers.location)).toMatch(/^http:\/\/127\.0\.0\.1:9999\/cb\?app=spa&code=/);
    const code = locationParams(redirect).get('code')!;
    const response = await postForm(t.app, '/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'quiz-spa',
      code,
      code_verifier: verifier,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().refresh_token).toBeUndefined(); // quiz-spa may not refresh
    const again = await postForm(t.app, '/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'quiz-spa',
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    });
    expect(again.json().error).toBe('invalid_grant');
    // Without a refresh family, the access token's jti is what gets denied.
    const introspect = await postForm(t.app, '/oauth/introspect', {
      token: response.json().access_token,
      client_id: 'quiz-web',
      client_secret: webSecret,
    });
    expect(introspect.json().active).toBe(false);
  });
});

describe('metadata', () => {
  it('lists the authorization endpoint, response type code, S256 and the grant', async () => {
    const metadata = (await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
    expect(metadata).toMatchObject({
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(metadata.grant_types_supported).toContain('authorization_code');
  });
});
