/**
 * Pushed authorization requests (RFC 9126) through app.inject: POST /oauth/par with each client
 * authentication, the authorization endpoint's checks applied to what is pushed, the request_uri
 * used once, by its client, within 60 s (the app's injected clock), clients and servers that
 * require PAR, and the metadata. Each rule with the refused case beside the accepted one.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, sign } from '@sesame/jwt';
import { authorizeUrl, pkce, signInAndConsent } from '@sesame/testkit';
import {
  ALICE,
  adminApi,
  basic,
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
  expectErrorBack,
  ISSUER,
  isLoginPage,
  REDIRECT,
  registerWebClient,
} from '../../helpers/authorize.js';

const STATE = 'st-par';
const URN = 'urn:ietf:params:oauth:request_uri:';
let t: TestApp;
let secret: string;
const params = authorizeParams({ state: STATE });

beforeEach(async () => {
  t = await createTestApp();
  secret = (await registerWebClient(t, 'quiz-web'))!;
});
afterEach(() => t.close());

/** Pushes `fields` as quiz-web (client_secret_basic unless `auth` says otherwise). */
function push(
  fields: Record<string, string>,
  auth: Record<string, string> | null = { authorization: basic('quiz-web', secret) },
) {
  return postForm(t.app, '/oauth/par', fields, auth ?? {});
}

/** Pushes, expects 201, answers the request_uri. */
async function pushed(
  fields: Record<string, string> = params(),
  auth?: Record<string, string> | null,
): Promise<string> {
  const answer = await push(fields, auth);
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json().request_uri;
}

/** An error page of the authorization endpoint (never a redirect). */
function expectPage(response: LightMyRequestResponse, error: string) {
  expect(response.statusCode, response.body).toBe(400);
  expect(response.headers.location).toBeUndefined();
  expect(response.body).toContain(error);
}

const byReference = (clientId: string, requestUri: string, extra: Record<string, string> = {}) =>
  authorizeUrl({ client_id: clientId, request_uri: requestUri, ...extra });

async function exchange(code: string, verifier: string) {
  return postForm(t.app, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'quiz-web',
    client_secret: secret,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  });
}

describe('POST /oauth/par', () => {
  it('201 with a request_uri (urn:ietf:params:oauth:request_uri:, 256 random bits) and expires_in 60, not cached', async () => {
    const answer = await push(params());
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.headers['cache-control']).toBe('no-store');
    const body = answer.json();
    expect(body.expires_in).toBe(60);
    expect(body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[\w-]{43}$/);
    expect((await push(params())).json().request_uri).not.toBe(body.request_uri);
  });

  it('authenticates the client as the token endpoint does: none, a wrong secret or the wrong method is 401 invalid_client', async () => {
    for (const auth of [null, { authorization: basic('quiz-web', 'wrong') }]) {
      const answer = await push(params(), auth);
      expect(answer.statusCode, answer.body).toBe(401);
      expect(answer.json().error).toBe('invalid_client');
    }
    // client_secret_post works as well as Basic.
    expect((await push({ ...params(), client_secret: secret }, {})).statusCode).toBe(201);
    // A client_id in the body that is not the Basic one: refused, not pushed for either.
    const mismatch = await push({ ...params(), client_id: 'quiz-backend' });
    expect(mismatch.statusCode).toBe(400);
  });

  it('a public client pushes with its client_id alone (§2.1); a secret from a public client is refused', async () => {
    await registerWebClient(t, 'quiz-spa', { type: 'public' });
    const spa = { ...params(), client_id: 'quiz-spa' };
    expect((await push(spa, {})).statusCode).toBe(201);
    const withSecret = await push({ ...spa, client_secret: 'anything' }, {});
    expect([withSecret.statusCode, withSecret.json().error]).toEqual([401, 'invalid_client']);
  });

  it('private_key_jwt: an assertion for the issuer is accepted, the same one again is refused', async () => {
    const { privateKey, publicKey } = generateKeyPair('ES256', { kid: 'k1' });
    await registerWebClient(t, 'signer', {
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [exportJWK(publicKey)] },
    });
    const now = Math.floor(t.clock.now() / 1000);
    const assertion = sign(
      { iss: 'signer', sub: 'signer', aud: ISSUER, jti: randomUUID(), iat: now, exp: now + 60 },
      privateKey,
      { issuedAt: false },
    );
    const fields = {
      ...params({ client_id: '' }),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
    expect((await push(fields, {})).statusCode).toBe(201);
    const replayed = await push(fields, {});
    expect([replayed.statusCode, replayed.json().error]).toEqual([401, 'invalid_client']);
  });

  it('checks the request as the authorization endpoint does, answering JSON 400 with its error code', async () => {
    const refused: [Record<string, string>, string][] = [
      [params({ redirect_uri: 'https://evil.example/cb' }), 'invalid_request'],
      [params({ code_challenge: '' }), 'invalid_request'],
      [params({ code_challenge_method: 'plain' }), 'invalid_request'],
      [params({ response_type: 'token' }), 'unsupported_response_type'],
      [params({ scope: 'openid admin' }), 'invalid_scope'],
      [params({ dpop_jkt: 'short' }), 'invalid_request'],
      [params({ display: 'hologram' }), 'invalid_request'],
      [params({ prompt: 'none login' }), 'invalid_request'],
      [params({ response_mode: 'fragment' }), 'invalid_request'],
      [params({ request: 'eyJhbGciOiJub25lIn0.e30.' }), 'request_not_supported'],
      [params({ claims: '{not json' }), 'invalid_request'],
    ];
    for (const [fields, error] of refused) {
      const answer = await push(fields);
      expect([answer.statusCode, answer.json().error], JSON.stringify(fields)).toEqual([400, error]);
      expect(answer.headers.location).toBeUndefined();
    }
    // The same with the values fixed: accepted.
    expect(
      (await push(params({ dpop_jkt: 'A'.repeat(43), display: 'popup', prompt: 'login' }))).statusCode,
    ).toBe(201);
  });

  it('refuses a request_uri inside a pushed request (§2.1), and a seal only the server may set', async () => {
    const inner = await pushed();
    const extras: Record<string, string>[] = [
      { request_uri: inner },
      { request_uri: 'https://client.example/r' },
      { pushed: '1.x' },
    ];
    for (const extra of extras) {
      const answer = await push(params(extra));
      expect([answer.statusCode, answer.json().error]).toEqual([400, 'invalid_request']);
    }
  });
});

describe('GET /oauth/authorize with a request_uri', () => {
  it('the pushed parameters, and only them, carry the request through login and consent to a code that gives tokens', async () => {
    const { verifier, challenge } = pkce();
    const requestUri = await pushed(params({ nonce: 'n-par' }, challenge));
    const browser = new PageClient(t.app);
    // Parameters beside client_id and request_uri are ignored (§4): not this state, not this scope.
    const url = byReference('quiz-web', requestUri, {
      state: 'from-query',
      scope: 'openid',
      redirect_uri: 'https://evil.example/cb',
    });
    const { page, back } = await signInAndConsent(browser, url, ALICE);
    expect(isLoginPage(page as LightMyRequestResponse)).toBe(true);
    const query = locationParams(back);
    expect(String(back.headers.location).startsWith(`${REDIRECT}?`)).toBe(true);
    expect([query.get('state'), query.get('iss')]).toEqual([STATE, ISSUER]);
    const tokens = await exchange(query.get('code') ?? '', verifier);
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(tokens.json().scope.split(' ').sort()).toEqual(['openid', 'quiz']);
  });

  it('usable once (§7.3): the second use is an invalid_request_uri page, never a redirect', async () => {
    const requestUri = await pushed();
    const browser = new PageClient(t.app);
    expect(isLoginPage(await browser.get(byReference('quiz-web', requestUri)))).toBe(true);
    expectPage(await browser.get(byReference('quiz-web', requestUri)), 'invalid_request_uri');
  });

  it("another client's request_uri is invalid_request_uri, and does not spend it for its own client", async () => {
    await registerWebClient(t, 'other-web');
    const requestUri = await pushed();
    const browser = new PageClient(t.app);
    expectPage(await browser.get(byReference('other-web', requestUri)), 'invalid_request_uri');
    expectPage(await browser.get(byReference('nobody', requestUri)), 'invalid_request_uri');
    expect(isLoginPage(await browser.get(byReference('quiz-web', requestUri)))).toBe(true);
  });

  it('expires 60 s after the push: usable at 59.999 s, not at 60 s', async () => {
    const early = await pushed();
    const late = await pushed();
    t.clock.advance(59_999);
    const browser = new PageClient(t.app);
    expect(isLoginPage(await browser.get(byReference('quiz-web', early)))).toBe(true);
    t.clock.advance(1);
    expectPage(await browser.get(byReference('quiz-web', late)), 'invalid_request_uri');
  });

  it('an unknown or malformed request_uri of the pushed form, or one without client_id, is refused on a page', async () => {
    const browser = new PageClient(t.app);
    expectPage(await browser.get(byReference('quiz-web', `${URN}${'A'.repeat(43)}`)), 'invalid_request_uri');
    expectPage(await browser.get(byReference('quiz-web', `${URN}short`)), 'invalid_request_uri');
    const requestUri = await pushed();
    expectPage(await browser.get(authorizeUrl({ request_uri: requestUri })), 'invalid_request');
    // Not spent by the refused attempt.
    expect(isLoginPage(await browser.get(byReference('quiz-web', requestUri)))).toBe(true);
  });

  it('POST /oauth/authorize takes a request_uri the same way', async () => {
    const requestUri = await pushed();
    const browser = new PageClient(t.app);
    const answer = await browser.post('/oauth/authorize', { client_id: 'quiz-web', request_uri: requestUri });
    expect(answer.statusCode, answer.body).toBe(303);
    expect(isLoginPage(await browser.get(String(answer.headers.location)))).toBe(true);
    expectPage(
      await browser.post('/oauth/authorize', { client_id: 'quiz-web', request_uri: requestUri }),
      'invalid_request_uri',
    );
  });
});

describe('clients and servers that require PAR', () => {
  beforeEach(async () => {
    await t.services.clients.change('quiz-web', { requirePushedAuthorizationRequests: true }, 'test');
  });

  it('a request in the query is refused back to the client; a pushed one goes through login and consent to a code', async () => {
    expectErrorBack(await new PageClient(t.app).get(authorizeUrl(params())), {
      error: 'invalid_request',
      state: STATE,
    });
    const { verifier, challenge } = pkce();
    const requestUri = await pushed(params({ prompt: 'login', max_age: '0' }, challenge));
    const { back } = await signInAndConsent(
      new PageClient(t.app),
      byReference('quiz-web', requestUri),
      ALICE,
    );
    const code = locationParams(back).get('code');
    expect(code, String(back.headers.location)).toBeTruthy();
    expect((await exchange(code ?? '', verifier)).statusCode).toBe(200);
  });

  it('a seal made up, moved to other parameters, or older than an hour is refused', async () => {
    const browser = new PageClient(t.app);
    const forged = `${t.clock.now()}.${'A'.repeat(43)}`;
    expectErrorBack(await browser.get(authorizeUrl(params({ pushed: forged }))), {
      error: 'invalid_request',
      state: STATE,
    });
    // A real seal, taken from the login page's hidden fields.
    const page = await browser.get(byReference('quiz-web', await pushed()));
    const carried = Object.fromEntries(
      [...page.body.matchAll(/name="([\w]+)" value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!.replaceAll('&amp;', '&'),
      ]),
    );
    expect(carried.pushed).toMatch(/^\d+\.[\w-]{43}$/);
    const { csrf_token: _csrf, ...sealed } = carried;
    expect(isLoginPage(await browser.get(authorizeUrl(sealed)))).toBe(true);
    expectErrorBack(await browser.get(authorizeUrl({ ...sealed, state: 'changed' })), {
      error: 'invalid_request',
      state: 'changed',
    });
    t.clock.advance(3_600_000);
    expectErrorBack(await browser.get(authorizeUrl(sealed)), { error: 'invalid_request', state: STATE });
  });

  it('another client is not affected; with requirePushedAuthorizationRequests every client is', async () => {
    await registerWebClient(t, 'free-web');
    expect(
      isLoginPage(await new PageClient(t.app).get(authorizeUrl(params({ client_id: 'free-web' })))),
    ).toBe(true);
    const strict = await createTestApp({ requirePushedAuthorizationRequests: true });
    try {
      await registerWebClient(strict, 'free-web');
      const refused = await new PageClient(strict.app).get(authorizeUrl(params({ client_id: 'free-web' })));
      expectErrorBack(refused, { error: 'invalid_request', state: STATE });
      const metadata = await strict.app.inject({ url: '/.well-known/openid-configuration' });
      expect(metadata.json().require_pushed_authorization_requests).toBe(true);
    } finally {
      await strict.close();
    }
  });

  it('the admin API shows and changes the flag', async () => {
    const admin = await adminApi(t);
    const listed = await admin('GET', '/admin/clients');
    const client = listed.json().find((c: { clientId: string }) => c.clientId === 'quiz-web');
    expect(client.requirePushedAuthorizationRequests).toBe(true);
    const made = await admin('POST', '/admin/clients', {
      name: 'pushed',
      grantTypes: ['authorization_code'],
      redirectUris: [REDIRECT],
      scopes: ['quiz'],
      requirePushedAuthorizationRequests: true,
    });
    expect(made.statusCode, made.body).toBe(201);
    const { clientId, requirePushedAuthorizationRequests } = made.json().client;
    expect(requirePushedAuthorizationRequests).toBe(true);
    const off = await admin('PATCH', `/admin/clients/${clientId}`, {
      requirePushedAuthorizationRequests: false,
    });
    expect([off.statusCode, off.json().requirePushedAuthorizationRequests], off.body).toEqual([200, false]);
    const bad = await admin('POST', '/admin/clients', {
      name: 'x',
      requirePushedAuthorizationRequests: 'yes',
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('metadata (RFC 9126 §5)', () => {
  it('both documents name the endpoint and the server-wide requirement (false by default)', async () => {
    for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const document = (await t.app.inject({ url })).json();
      expect(document.pushed_authorization_request_endpoint).toBe(`${ISSUER}/oauth/par`);
      expect(document.require_pushed_authorization_requests).toBe(false);
    }
  });
});
