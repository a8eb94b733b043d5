/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592) through app.inject: off by
 * default, open, or with an initial access token; each metadata rule with the refused case beside
 * the accepted one (RFC 7591 §3.2.2 error bodies, never a 500); the registration access token
 * alone reads, replaces and deletes; the per-address limit on the app's injected clock.
 */
import { basic, createTestApp, postForm, type TestApp } from '@sesame/testkit/app';
import { afterEach, describe, expect, it } from 'vitest';

let t: TestApp;
afterEach(() => t?.close());

const WEB = { redirect_uris: ['https://rp.example.com/callback'], client_name: 'RP' };

function register(body: unknown, token?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/register',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    payload: JSON.stringify(body),
  });
}

function manage(method: 'GET' | 'PUT' | 'DELETE', clientId: string, token?: string, body?: unknown) {
  return t.app.inject({
    method,
    url: `/oauth/register/${clientId}`,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });
}

/** Registers `body`, expecting the RFC 7591 §3.2.2 error `error`. */
async function refused(body: unknown, error: string) {
  const response = await register(body);
  expect(response.statusCode, response.body).toBe(400);
  expect(response.json().error).toBe(error);
  return response.json().error_description as string;
}

async function registered(body: unknown = WEB) {
  const response = await register(body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('off by default', () => {
  it('answers 404 and is not advertised; open, it is advertised in both documents', async () => {
    t = await createTestApp();
    expect((await register(WEB)).statusCode).toBe(404);
    for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'])
      expect((await t.app.inject(url)).json().registration_endpoint).toBeUndefined();
    await t.close();
    t = await createTestApp({ registration: 'open' });
    for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'])
      expect((await t.app.inject(url)).json().registration_endpoint).toBe(
        `${t.services.config.issuer}/oauth/register`,
      );
  });
});

describe('the OpenAPI document', () => {
  it('describes the registration routes with their Bearer scheme', async () => {
    t = await createTestApp({ registration: 'open' });
    const document = (await t.app.inject({ url: '/docs/json' })).json();
    expect(document.paths['/oauth/register'].post.tags).toEqual(['registration']);
    for (const method of ['get', 'put', 'delete'])
      expect(document.paths['/oauth/register/{clientId}'][method].security).toEqual([
        { registrationToken: [] },
      ]);
    expect(document.components.securitySchemes.registrationToken.scheme).toBe('bearer');
  });
});

describe('open registration', () => {
  it('answers the client with its secret, times, registration token and metadata (RFC 7591 §3.2.1)', async () => {
    t = await createTestApp({ registration: 'open' });
    const answer = await registered();
    expect(answer).toMatchObject({
      client_secret_expires_at: 0,
      client_id_issued_at: Math.floor(t.clock.now() / 1000),
      registration_client_uri: `${t.services.config.issuer}/oauth/register/${answer.client_id}`,
      client_name: 'RP',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: WEB.redirect_uris,
      scope: 'openid profile email',
    });
    expect(answer.client_secret).toMatch(/^[\w-]{43}$/);
    expect(answer.registration_access_token).toMatch(/^[\w-]{43}$/);
    const client = await t.services.clients.find(answer.client_id);
    expect(client?.requirePkce).toBe(true);
    // Only hashes are kept.
    const hash = await t.store.findRegistrationTokenHash(answer.client_id);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(answer.registration_access_token);
    const events = await t.store.listAuditEvents({ limit: 20 });
    expect(events.find((e) => e.type === 'client.registered')?.subject).toBe(answer.client_id);
  });

  it('a public client (none) gets no secret; a confidential one of private_key_jwt neither', async () => {
    t = await createTestApp({ registration: 'open' });
    const pub = await registered({ ...WEB, token_endpoint_auth_method: 'none' });
    expect(pub.client_secret).toBeUndefined();
    expect((await t.services.clients.find(pub.client_id))?.type).toBe('public');
    const jwks = { keys: [(await t.app.inject('/.well-known/jwks.json')).json().keys[0]] };
    const signer = await registered({ ...WEB, token_endpoint_auth_method: 'private_key_jwt', jwks });
    expect(signer.client_secret).toBeUndefined();
    expect(signer.jwks).toEqual(jwks);
  });

  it('redirect URIs: https, loopback http and private-use schemes pass; fragments, http elsewhere and javascript: do not', async () => {
    t = await createTestApp({ registration: 'open' });
    for (const uri of [
      'https://rp.example.com/cb',
      'http://127.0.0.1:8000/cb',
      'http://[::1]/cb',
      'com.example.app:/cb',
    ])
      await registered({ redirect_uris: [uri] });
    for (const uri of [
      'https://rp.example.com/cb#frag',
      'http://rp.example.com/cb',
      'javascript:alert(1)',
      'data:text/html,x',
      'https://*.example.com/cb',
      'https://user@rp.example.com/cb',
      '/relative',
    ])
      await refused({ redirect_uris: [uri] }, 'invalid_redirect_uri');
    // The code grant needs one.
    await refused({ redirect_uris: [] }, 'invalid_redirect_uri');
    await registered({ grant_types: ['client_credentials'], response_types: [] });
    await refused(
      { ...WEB, post_logout_redirect_uris: ['http://rp.example.com/bye'] },
      'invalid_client_metadata',
    );
    await registered({ ...WEB, post_logout_redirect_uris: ['https://rp.example.com/bye'] });
  });

  it('jwks_uri under the fetch rules, never beside jwks', async () => {
    t = await createTestApp({ registration: 'open' });
    const base = { ...WEB, token_endpoint_auth_method: 'private_key_jwt' };
    for (const uri of [
      'https://127.0.0.1/jwks',
      'https://169.254.169.254/latest',
      'http://keys.example.com/jwks',
      'https://localhost/jwks',
    ])
      expect(await refused({ ...base, jwks_uri: uri }, 'invalid_client_metadata')).toContain('jwks_uri');
    await registered({ ...base, jwks_uri: 'https://keys.example.com/jwks' });
    const jwks = { keys: [(await t.app.inject('/.well-known/jwks.json')).json().keys[0]] };
    await refused({ ...base, jwks, jwks_uri: 'https://keys.example.com/jwks' }, 'invalid_client_metadata');
    await refused({ ...base }, 'invalid_client_metadata'); // private_key_jwt without keys
    await refused({ ...base, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, 'invalid_client_metadata');
  });

  it('grants, response types, methods and algorithms', async () => {
    t = await createTestApp({ registration: 'open' });
    await refused({ ...WEB, grant_types: ['authorization_code', 'password'] }, 'invalid_client_metadata');
    await refused({ ...WEB, grant_types: ['urn:example:grant'] }, 'invalid_client_metadata');
    await registered({ ...WEB, grant_types: ['authorization_code', 'refresh_token'] });
    await refused({ ...WEB, response_types: ['token'] }, 'invalid_client_metadata');
    await refused({ ...WEB, grant_types: ['client_credentials'] }, 'invalid_client_metadata'); // code without its grant
    await refused(
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'invalid_client_metadata',
    );
    await refused({ ...WEB, token_endpoint_auth_method: 'client_secret_jwt' }, 'invalid_client_metadata');
    await refused({ ...WEB, token_endpoint_auth_method: 'tls_client_auth' }, 'invalid_client_metadata');
    await registered({ ...WEB, token_endpoint_auth_method: 'client_secret_post' });
    await refused({ ...WEB, id_token_signed_response_alg: 'none' }, 'invalid_client_metadata');
    await refused({ ...WEB, id_token_signed_response_alg: 'HS256' }, 'invalid_client_metadata');
    expect(
      (await registered({ ...WEB, id_token_signed_response_alg: 'RS256' })).id_token_signed_response_alg,
    ).toBe('RS256');
    await refused({ ...WEB, token_endpoint_auth_signing_alg: 'HS256' }, 'invalid_client_metadata');
    await refused({ ...WEB, subject_type: 'pairwise' }, 'invalid_client_metadata');
    expect((await registered({ ...WEB, dpop_bound_access_tokens: true })).dpop_bound_access_tokens).toBe(
      true,
    );
    await refused({ ...WEB, dpop_bound_access_tokens: 'yes' }, 'invalid_client_metadata');
  });

  it('scope: only what registrationScopes allows; none asked gets those', async () => {
    t = await createTestApp({ registration: 'open', registrationScopes: 'openid quiz' });
    expect((await registered()).scope).toBe('openid quiz');
    expect((await registered({ ...WEB, scope: 'openid' })).scope).toBe('openid');
    expect(await refused({ ...WEB, scope: 'openid admin' }, 'invalid_client_metadata')).toContain('scope');
  });

  it('software statements are refused; unsupported fields refused, unknown ones ignored', async () => {
    t = await createTestApp({ registration: 'open' });
    await refused(
      { ...WEB, software_statement: 'eyJhbGciOiJub25lIn0.e30.' },
      'unapproved_software_statement',
    );
    await refused({ ...WEB, request_object_signing_alg: 'RS256' }, 'invalid_client_metadata');
    await refused({ ...WEB, request_uris: ['https://rp.example.com/req'] }, 'invalid_client_metadata');
    const answer = await registered({
      ...WEB,
      logo_uri: 'https://rp.example.com/logo.png',
      'client_name#fr': 'x',
    });
    expect(answer.logo_uri).toBeUndefined();
  });

  it('malformed bodies are 4xx with an error body, never a 500', async () => {
    t = await createTestApp({ registration: 'open', registrationRateLimit: 1000 });
    // Not a JSON object: the route's schema refuses it before the metadata is read.
    for (const body of [[], 'text', 42, null]) await refused(body, 'invalid_request');
    for (const field of [
      'redirect_uris',
      'grant_types',
      'response_types',
      'client_name',
      'scope',
      'jwks',
      'jwks_uri',
      'post_logout_redirect_uris',
      'token_endpoint_auth_method',
      'subject_type',
    ])
      for (const value of [42, { a: 1 }, [1], true])
        expect(
          (await register({ ...WEB, [field]: value })).statusCode,
          `${field} ${JSON.stringify(value)}`,
        ).toBe(400);
    const broken = await t.app.inject({
      method: 'POST',
      url: '/oauth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"redirect_uris": [',
    });
    expect(broken.statusCode).toBe(400);
    const big = await register({ ...WEB, client_name: 'x'.repeat(20_000) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('invalid_request');
  });
});

describe('initial access tokens', () => {
  it('registration needs a live token with a use left', async () => {
    t = await createTestApp({ registration: 'token' });
    const missing = await register(WEB);
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="sesame"');
    const made = await t.services.initialAccessTokens.create(
      { label: 'partner', expiresInMs: 60_000, uses: 2 },
      'test',
    );
    const wrong = await register(WEB, `${made.token.slice(0, -2)}xx`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await register(WEB, made.token)).statusCode).toBe(201);
    expect((await register(WEB, made.token)).statusCode).toBe(201);
    expect((await register(WEB, made.token)).statusCode).toBe(401); // both uses spent
    const timed = await t.services.initialAccessTokens.create(
      { label: 'day', expiresInMs: 60_000, uses: null },
      'test',
    );
    expect((await register(WEB, timed.token)).statusCode).toBe(201);
    t.clock.advance(60_001);
    expect((await register(WEB, timed.token)).statusCode).toBe(401); // expired
    const revoked = await t.services.initialAccessTokens.create(
      { label: 'r', expiresInMs: 60_000, uses: null },
      'test',
    );
    await t.services.initialAccessTokens.revoke(revoked.id, 'test');
    expect((await register(WEB, revoked.token)).statusCode).toBe(401);
    const listed = await t.services.initialAccessTokens.list();
    expect(JSON.stringify(listed)).not.toContain(made.token);
    expect(listed.map((token) => token.usesLeft)).toEqual([0, null]);
  });
});

describe('client configuration endpoint (RFC 7592)', () => {
  it('reads with its own token only; 401 with a challenge otherwise', async () => {
    t = await createTestApp({ registration: 'open' });
    const a = await registered();
    const b = await registered();
    const read = await manage('GET', a.client_id, a.registration_access_token);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ client_id: a.client_id, redirect_uris: WEB.redirect_uris });
    expect(read.json().client_secret).toBeUndefined();
    for (const token of [undefined, b.registration_access_token, 'not-a-token']) {
      const answer = await manage('GET', a.client_id, token);
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="sesame"/);
    }
    // An administrator's client has no registration token: nothing opens it.
    expect((await manage('GET', 'quiz-backend', a.registration_access_token)).statusCode).toBe(401);
  });

  it('PUT replaces the metadata under the same rules; client_id and client_secret must match', async () => {
    t = await createTestApp({ registration: 'open' });
    const a = await registered({ ...WEB, grant_types: ['authorization_code', 'refresh_token'] });
    const token = a.registration_access_token;
    const next = { client_id: a.client_id, redirect_uris: ['https://rp.example.com/next'] };
    const put = await manage('PUT', a.client_id, token, { ...next, client_secret: a.client_secret });
    expect(put.statusCode, put.body).toBe(200);
    // Omitted fields are cleared or back to their defaults (§2.2).
    expect(put.json()).toMatchObject({
      redirect_uris: next.redirect_uris,
      grant_types: ['authorization_code'],
    });
    expect(put.json().client_name).toBe('unnamed registered client');
    expect((await manage('PUT', a.client_id, token, { ...next, client_id: 'other' })).statusCode).toBe(400);
    expect((await manage('PUT', a.client_id, token, { ...next, client_secret: 'wrong' })).statusCode).toBe(
      400,
    );
    const bad = await manage('PUT', a.client_id, token, {
      ...next,
      redirect_uris: ['https://x.example.com/#f'],
    });
    expect(bad.json().error).toBe('invalid_redirect_uri');
    const flip = await manage('PUT', a.client_id, token, { ...next, token_endpoint_auth_method: 'none' });
    expect(flip.json().error).toBe('invalid_client_metadata');
    expect((await manage('PUT', a.client_id, undefined, next)).statusCode).toBe(401);
    // The secret still authenticates after a change that keeps a secret method.
    const other = await registered({ grant_types: ['client_credentials'], response_types: [] });
    const ok = await manage('PUT', other.client_id, other.registration_access_token, {
      client_id: other.client_id,
      grant_types: ['client_credentials'],
      response_types: [],
      client_name: 'renamed',
    });
    expect(ok.json().client_name).toBe('renamed');
    const grant = await postForm(
      t.app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      {
        authorization: basic(other.client_id, other.client_secret),
      },
    );
    expect(grant.statusCode, grant.body).toBe(200);
  });

  it('DELETE removes the client: 204, then its credentials and token no longer work', async () => {
    t = await createTestApp({ registration: 'open' });
    const a = await registered({ grant_types: ['client_credentials'], response_types: [] });
    const b = await registered({ grant_types: ['client_credentials'], response_types: [] });
    expect((await manage('DELETE', a.client_id, b.registration_access_token)).statusCode).toBe(401);
    const gone = await manage('DELETE', a.client_id, a.registration_access_token);
    expect(gone.statusCode).toBe(204);
    expect((await manage('GET', a.client_id, a.registration_access_token)).statusCode).toBe(401);
    const grant = await postForm(
      t.app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      {
        authorization: basic(a.client_id, a.client_secret),
      },
    );
    expect(grant.statusCode).toBe(401);
    const types = (await t.store.listAuditEvents({ limit: 20 })).map((e) => e.type);
    expect(types).toContain('client.registration.deleted');
  });
});

describe('rate limit', () => {
  it('an address is refused past registrationRateLimit until a quiet window', async () => {
    t = await createTestApp({
      registration: 'open',
      registrationRateLimit: 2,
      registrationRateWindow: '60s',
    });
    await registered();
    await refused({ redirect_uris: ['javascript:x'] }, 'invalid_redirect_uri'); // refusals count too
    const limited = await register(WEB);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    t.clock.advance(60_001);
    await registered();
  });
});
