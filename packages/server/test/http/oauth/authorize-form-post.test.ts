/**
 * response_mode on the authorization request (OAuth 2.0 Multiple Response Type Encoding Practices
 * §2.1, Form Post Response Mode §2), through app.inject: `query` by default, `form_post` answers a
 * self-submitting page to the redirect URI with the code or the error, `state` and `iss`, under a
 * CSP that allows that form and its one script only; anything else is invalid_request.
 */
import { createHash } from 'node:crypto';
import { authorizeUrl, formFields, pkce, signIn, signInAndConsent } from '@sesame/testkit';
import {
  ALICE,
  createTestApp,
  locationParams,
  PageClient,
  postForm,
  type TestApp,
} from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorizeParams,
  ISSUER,
  REDIRECT,
  registerWebClient,
  signedInBrowser,
} from '../../helpers/authorize.js';

const WITH_QUERY = 'https://client.example/cb?tenant=a&x=1';
let t: TestApp;
let secret: string;

beforeEach(async () => {
  t = await createTestApp();
  secret = (await registerWebClient(t, 'quiz-web', {
    redirectUris: [REDIRECT, WITH_QUERY, 'com.example.app:/cb'],
  }))!;
});
afterEach(() => t.close());

const params = authorizeParams({ state: 'st-fp', response_mode: 'form_post' });

/** The form_post page's form: its action and its hidden fields (entities decoded). */
function postedForm(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body).toBe(200);
  const action = /<form method="post" action="([^"]*)">/.exec(response.body)?.[1];
  expect(action).toBeDefined();
  return { action: action!.replace(/&amp;/g, '&'), fields: formFields(response.body, action!) };
}

/** The headers every form_post page carries, and a CSP that allows its own script only. */
function expectFormPostHeaders(response: LightMyRequestResponse, origin = 'https://client.example') {
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['x-frame-options']).toBe('DENY');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  const scripts = [...response.body.matchAll(/<script>([^<]*)<\/script>/g)].map((match) => match[1]!);
  expect(scripts).toHaveLength(1);
  expect(response.body.match(/<script/g)).toHaveLength(1);
  const hash = createHash('sha256').update(scripts[0]!).digest('base64');
  expect(response.headers['content-security-policy']).toBe(
    `default-src 'none'; script-src 'sha256-${hash}'; form-action ${origin}; frame-ancestors 'none'; base-uri 'none'`,
  );
}

/** The request in query mode, whose redirect carries the code (how signedInBrowser signs in). */
const QUERY_MODE = { response_mode: '' };

describe('response_mode=form_post', () => {
  it('a signed-in user with a consent: the page posts code, state and iss to the redirect URI; the code gives tokens', async () => {
    const browser = await signedInBrowser(t, params(QUERY_MODE));
    const { verifier, challenge } = pkce();
    const page = await browser.get(authorizeUrl(params({}, challenge)));
    expect(page.headers.location).toBeUndefined();
    expectFormPostHeaders(page);
    const { action, fields } = postedForm(page);
    expect(action).toBe(REDIRECT);
    expect(Object.keys(fields)).toEqual(['code', 'state', 'iss']);
    expect([fields.state, fields.iss]).toEqual(['st-fp', ISSUER]);
    expect(page.body).toContain('<noscript>');
    const tokens = await postForm(t.app, '/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'quiz-web',
      client_secret: secret,
      code: fields.code!,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    });
    expect(tokens.statusCode, tokens.body).toBe(200);
  });

  it('through the login and consent forms: the consent form answers the page (200), not a redirect', async () => {
    const browser = new PageClient(t.app);
    const { signedIn, consent, back } = await signInAndConsent(browser, authorizeUrl(params()), ALICE);
    expect(signedIn.statusCode).toBe(303);
    expect(consent.body).toContain('action="/oauth/authorize/consent"');
    expectFormPostHeaders(back);
    expect(postedForm(back).fields.code).toMatch(/^[\w-]{43}$/);
  });

  it('a denial goes back the same way: access_denied, state and iss, no code', async () => {
    const browser = new PageClient(t.app);
    const { back } = await signInAndConsent(browser, authorizeUrl(params()), ALICE, 'deny');
    expectFormPostHeaders(back);
    const { fields } = postedForm(back);
    expect([fields.error, fields.state, fields.iss, fields.code]).toEqual([
      'access_denied',
      'st-fp',
      ISSUER,
      undefined,
    ]);
  });

  it('prompt=none errors go back in the form too (login_required, consent_required)', async () => {
    const none = postedForm(await new PageClient(t.app).get(authorizeUrl(params({ prompt: 'none' }))));
    expect([none.fields.error, none.fields.state]).toEqual(['login_required', 'st-fp']);
    const browser = new PageClient(t.app);
    await signIn(browser, authorizeUrl(params()), ALICE);
    const consent = postedForm(await browser.get(authorizeUrl(params({ prompt: 'none' }))));
    expect(consent.fields.error).toBe('consent_required');
  });

  it.each([
    ['no PKCE challenge', { code_challenge: '', code_challenge_method: '' }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['an unknown prompt', { prompt: 'maybe' }, 'invalid_request'],
    ['a scope not allowed', { scope: 'admin' }, 'invalid_scope'],
  ])(
    'a check that fails after the redirect URI is verified (%s): the error in the form',
    async (_name, extra, error) => {
      const page = await new PageClient(t.app).get(authorizeUrl(params(extra)));
      expectFormPostHeaders(page);
      const { fields } = postedForm(page);
      expect([fields.error, fields.state, fields.iss, fields.code]).toEqual([
        error,
        'st-fp',
        ISSUER,
        undefined,
      ]);
    },
  );

  it('an unverified redirect URI is an error page, never a form to it', async () => {
    const page = await new PageClient(t.app).get(
      authorizeUrl(params({ redirect_uri: 'https://evil.example/cb' })),
    );
    expect(page.statusCode).toBe(400);
    expect(page.body).not.toContain('evil.example');
    expect(page.body).not.toMatch(/<script|method="post" action="https/);
  });

  it('a registered query stays in the form action (escaped in the page), and the CSP names only its origin', async () => {
    const browser = await signedInBrowser(t, params(QUERY_MODE));
    const page = await browser.get(authorizeUrl(params({ redirect_uri: WITH_QUERY })));
    expect(page.body).toContain('action="https://client.example/cb?tenant=a&amp;x=1"');
    expect(postedForm(page).action).toBe(WITH_QUERY);
    expectFormPostHeaders(page);
  });

  it.each([
    ['"><script>alert(1)</script>'],
    ["' onmouseover='alert(1)"],
    ['</form><form action="https://evil.example/"><input name="code" value="x">'],
    ['&lt;not-an-entity&gt; & done'],
  ])('state with markup is escaped and comes back exactly: %s', async (state) => {
    const page = await new PageClient(t.app).get(authorizeUrl(params({ state, prompt: 'none' })));
    expectFormPostHeaders(page);
    expect(page.body).not.toContain(state);
    expect(page.body.match(/<form|<input name=/g)).toEqual(['<form']);
    expect(page.body).not.toMatch(/onmouseover='/);
    expect(postedForm(page).fields.state).toBe(state);
  });

  it('POST /oauth/authorize with form_post: the page, with status 200', async () => {
    const browser = await signedInBrowser(t, params(QUERY_MODE));
    const page = await browser.post('/oauth/authorize', params());
    expectFormPostHeaders(page);
    expect(postedForm(page).fields.code).toBeTruthy();
  });
});

describe('response_mode: query and the refused values', () => {
  it('query, named or not, redirects with the code in the query', async () => {
    const browser = await signedInBrowser(t, params(QUERY_MODE));
    for (const mode of ['query', '']) {
      const back = await browser.get(authorizeUrl(params({ response_mode: mode })));
      expect(back.statusCode).toBe(302);
      expect(locationParams(back).get('code')).toBeTruthy();
    }
  });

  it.each([
    ['fragment (not offered for the code flow)', { response_mode: 'fragment' }],
    ['FORM_POST (values are case-sensitive)', { response_mode: 'FORM_POST' }],
    ['form_post.jwt (JARM, not offered)', { response_mode: 'form_post.jwt' }],
    ['form_post to a custom-scheme redirect URI', { redirect_uri: 'com.example.app:/cb' }],
  ])('%s: invalid_request, in the query', async (_name, extra) => {
    const back = await new PageClient(t.app).get(authorizeUrl(params(extra)));
    expect(back.statusCode).toBe(302);
    const query = locationParams(back);
    expect([query.get('error'), query.get('state'), query.get('iss')]).toEqual([
      'invalid_request',
      'st-fp',
      ISSUER,
    ]);
    expect(query.get('error_description')).toMatch(/response_mode/);
  });

  it('discovery lists query and form_post', async () => {
    const metadata = (await t.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(metadata.response_modes_supported).toEqual(['query', 'form_post']);
  });
});
