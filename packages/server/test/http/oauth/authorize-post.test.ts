/**
 * POST /oauth/authorize (OpenID Connect Core §3.1.2.1), through app.inject: the same parameters and
 * checks as the GET, form-encoded; 303 answers; without a live session the checked request goes on
 * as a GET (which carries the SameSite=Lax cookie); and the login, consent and logout fields mean
 * nothing there (the forms have their own paths).
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
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorizeParams,
  expectErrorBack,
  ISSUER,
  isLoginPage,
  REDIRECT,
  registerWebClient,
  signedInBrowser,
} from '../../helpers/authorize.js';

const STATE = 'st-post';
let t: TestApp;
let secret: string;

beforeEach(async () => {
  t = await createTestApp();
  secret = (await registerWebClient(t, 'quiz-web'))!;
});
afterEach(() => t.close());

const params = authorizeParams({ state: STATE });

/** Back to the client with this error: a 303, the POST's redirect. */
const expectBack = (response: Parameters<typeof expectErrorBack>[0], error: string) =>
  expectErrorBack(response, { error, state: STATE, status: 303 });

describe('POST /oauth/authorize', () => {
  it('a signed-in user with a remembered consent: 303 to the client with a code that gives tokens', async () => {
    const browser = await signedInBrowser(t, params());
    const { verifier, challenge } = pkce();
    const back = await browser.post('/oauth/authorize', params({ nonce: 'n-post' }, challenge));
    expect(back.statusCode, back.body).toBe(303);
    const query = locationParams(back);
    expect([query.get('state'), query.get('iss')]).toEqual([STATE, ISSUER]);
    const tokens = await postForm(t.app, '/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'quiz-web',
      client_secret: secret,
      code: query.get('code') ?? '',
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    });
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(tokens.json().id_token).toBeTruthy();
  });

  it('without a live session: 303 to the same request as a GET (the known parameters only), which shows the login page', async () => {
    const browser = new PageClient(t.app);
    const sent = params({ nonce: 'n-1', prompt: 'consent', unknown_thing: 'dropped' });
    const answer = await browser.post('/oauth/authorize', sent);
    expect(answer.statusCode, answer.body).toBe(303);
    const location = String(answer.headers.location);
    expect(location.startsWith('/oauth/authorize?')).toBe(true);
    const { unknown_thing: _dropped, ...known } = sent;
    expect(Object.fromEntries(new URLSearchParams(location.split('?')[1]))).toEqual(known);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(isLoginPage(await browser.get(location))).toBe(true);
  });

  it.each([
    // Each value within the 8192 characters a parameter may have; together over the URL's limit.
    ['a long state and ui_locales', { state: 's'.repeat(5000), ui_locales: 'en-GB '.repeat(700).trim() }],
    [
      'long ui_locales and claims_locales',
      { ui_locales: 'en-GB '.repeat(700).trim(), claims_locales: 'pt-PT '.repeat(700).trim() },
    ],
    ['a state of characters that URL-encoding triples', { state: '%'.repeat(3000) }],
  ])(
    'without a live session, a request too long to go on as a GET (%s): invalid_request back to the client, no 303 to a URL a server refuses (431/414)',
    async (_name, extra) => {
      const sent = params(extra);
      const answer = await new PageClient(t.app).post('/oauth/authorize', sent);
      expect(answer.statusCode, answer.body).toBe(303);
      const location = String(answer.headers.location);
      expect(location.startsWith(`${REDIRECT}?`), location.slice(0, 80)).toBe(true);
      const back = locationParams(answer);
      expect([back.get('error'), back.get('state'), back.get('iss')]).toEqual([
        'invalid_request',
        sent.state,
        ISSUER,
      ]);
      expect(back.get('error_description')).toMatch(/too long to continue as a GET .* at most 8192 bytes/);
      expect(back.get('code')).toBeNull();
    },
  );

  it('without a live session, a request just under that length still goes on as a GET', async () => {
    const answer = await new PageClient(t.app).post('/oauth/authorize', params({ state: 's'.repeat(7500) }));
    expect(answer.statusCode).toBe(303);
    const location = String(answer.headers.location);
    expect(location.startsWith('/oauth/authorize?')).toBe(true);
    expect(location.length).toBeGreaterThan(7500);
  });

  it('a signed-in user and prompt=login: the login page at once', async () => {
    const browser = await signedInBrowser(t, params());
    expect(isLoginPage(await browser.post('/oauth/authorize', params({ prompt: 'login' })))).toBe(true);
  });

  it('prompt=none with a session but no consent: consent_required, 303', async () => {
    const browser = new PageClient(t.app);
    await signIn(browser, authorizeUrl(params()), ALICE);
    expectBack(await browser.post('/oauth/authorize', params({ prompt: 'none' })), 'consent_required');
  });

  describe('the same checks as the GET', () => {
    it.each([
      ['no code_challenge', { code_challenge: '', code_challenge_method: '' }, 'invalid_request'],
      ['code_challenge_method plain', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
      ['no response_type', { response_type: '' }, 'invalid_request'],
      ['a scope the client may not have', { scope: 'openid admin' }, 'invalid_scope'],
      ['an unknown prompt value', { prompt: 'sometimes' }, 'invalid_request'],
      ['max_age not a number', { max_age: 'soon' }, 'invalid_request'],
    ])('%s: the error back to the client with 303', async (_name, extra, error) => {
      expectBack(await new PageClient(t.app).post('/oauth/authorize', params(extra)), error);
    });

    it.each([
      ['an unknown client', { client_id: 'nobody' }, /client is not known/],
      ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/cb' }, /not registered/],
      ['no client_id', { client_id: '' }, /client_id parameter is missing/],
    ])('%s: a page, never a redirect', async (_name, extra, pattern) => {
      const response = await new PageClient(t.app).post('/oauth/authorize', params(extra));
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toMatch(pattern);
    });

    it('a repeated parameter is a page', async () => {
      const body = `${new URLSearchParams(params()).toString()}&redirect_uri=${encodeURIComponent('https://evil.example/')}`;
      const response = await t.app.inject({
        method: 'POST',
        url: '/oauth/authorize',
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toMatch(/malformed/);
    });

    it('a JSON body is refused with a page (the request is form-encoded)', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/oauth/authorize', payload: params() });
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toMatch(/must be form-encoded/);
    });

    it('the query of a POST is not read: the parameters belong in the body', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: authorizeUrl(params()),
        payload: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatch(/client_id parameter is missing/);
    });
  });

  describe('the forms’ fields mean nothing to it', () => {
    it('username, password and a valid CSRF token posted to /oauth/authorize sign no one in', async () => {
      const browser = new PageClient(t.app);
      const login = await browser.get(authorizeUrl(params()));
      const fields = formFields(login.body, '/oauth/authorize/login');
      const answer = await browser.post('/oauth/authorize', { ...fields, ...ALICE });
      // Not a login: no session cookie, and the request goes on as a GET, to the login page.
      expect(answer.statusCode).toBe(303);
      expect(String(answer.headers['set-cookie'] ?? '')).not.toMatch(/sesame-session=[\w-]{43}/);
      expect(String(answer.headers.location)).not.toMatch(/password|username|csrf/);
      expect(isLoginPage(await browser.get(String(answer.headers.location)))).toBe(true);
      // Control: the same fields posted to the login form do sign in.
      const signedIn = await browser.post('/oauth/authorize/login', { ...fields, ...ALICE });
      expect(String(signedIn.headers['set-cookie'])).toMatch(/sesame-session=[\w-]{43}/);
    });

    it('decision=allow with a valid CSRF token posted to /oauth/authorize grants no consent', async () => {
      const browser = new PageClient(t.app);
      const { signedIn } = await signIn(browser, authorizeUrl(params()), ALICE);
      const consentPage = await browser.get(String(signedIn.headers.location));
      const fields = formFields(consentPage.body, '/oauth/authorize/consent');
      const answer = await browser.post('/oauth/authorize', { ...fields, decision: 'allow' });
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toContain('action="/oauth/authorize/consent"');
      expect(await t.services.consents.find(t.aliceId, 'quiz-web')).toBeUndefined();
      // prompt=none still finds no consent.
      expectBack(await browser.post('/oauth/authorize', params({ prompt: 'none' })), 'consent_required');
    });
  });
});

describe('OpenAPI', () => {
  it('documents both methods from their schemas; the POST takes a form only', async () => {
    const document = (await t.app.inject({ url: '/docs/json' })).json();
    const path = document.paths['/oauth/authorize'];
    const queryNames = path.get.parameters.map((parameter: { name: string }) => parameter.name);
    const body = path.post.requestBody.content;
    expect(Object.keys(body)).toEqual(['application/x-www-form-urlencoded']);
    expect(Object.keys(body['application/x-www-form-urlencoded'].schema.properties)).toEqual(queryNames);
    expect(queryNames).toEqual(expect.arrayContaining(['client_id', 'code_challenge', 'prompt', 'nonce']));
  });
});
