import { decode } from '@sesame/jwt';
import { ALICE, basic, createTestApp, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const token = (fields: Record<string, string>, headers?: Record<string, string>) =>
  postForm(t.app, '/oauth/token', fields, headers);

describe('POST /oauth/token: password grant', () => {
  it('issues an RFC 9068 access token and a refresh token, no-store', async () => {
    const response = await token({ grant_type: 'password', client_id: t.publicId, ...ALICE });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'openid quiz' });
    expect(body.refresh_token).toMatch(/^[\w-]{40,}$/);
    const { header, payload } = decode(body.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
    expect(payload).toMatchObject({
      iss: 'http://127.0.0.1:8080',
      sub: t.aliceId,
      aud: 'sesame',
      client_id: t.publicId,
      scope: 'openid quiz',
      username: 'alice',
    });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(typeof payload.jti).toBe('string');
    expect(typeof payload.sid).toBe('string');
  });

  it('accepts a JSON body (the classic design sends JSON)', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'password', client_id: t.publicId, ...ALICE },
    });
    expect(response.statusCode).toBe(200);
  });

  it('grants a narrower scope when asked, and refuses a scope not allowed', async () => {
    const narrow = await token({ grant_type: 'password', client_id: t.publicId, ...ALICE, scope: 'quiz' });
    expect(narrow.json().scope).toBe('quiz');
    // alice has no admin scope, though the client has
    const refused = await token({
      grant_type: 'password',
      client_id: t.publicId,
      ...ALICE,
      scope: 'quiz admin',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_scope');
  });

  it('answers the same invalid_grant for a wrong password, an unknown user and a disabled user', async () => {
    const wrong = await token({
      grant_type: 'password',
      client_id: t.publicId,
      username: 'alice',
      password: 'nope nope',
    });
    const unknown = await token({
      grant_type: 'password',
      client_id: t.publicId,
      username: 'zed',
      password: 'nope nope',
    });
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'the username or the password is wrong',
      });
    }
  });

  it('requires username and password', async () => {
    const response = await token({ grant_type: 'password', client_id: t.publicId, username: 'alice' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'invalid_request',
      error_description: 'the password parameter is missing',
    });
  });
});

describe('POST /oauth/token: client authentication (RFC 6749 §2.3)', () => {
  it('accepts HTTP Basic with form-urlencoded id and secret', async () => {
    const response = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(t.machine.id, t.machine.secret) },
    );
    expect(response.statusCode).toBe(200);
    const { payload } = decode(response.json().access_token);
    expect(payload).toMatchObject({ sub: t.machine.id, client_id: t.machine.id, scope: 'reports' });
    expect(payload.username).toBeUndefined();
    expect(response.json().refresh_token).toBeUndefined();
  });

  it('accepts client_secret_post', async () => {
    const response = await token({
      grant_type: 'client_credentials',
      client_id: t.machine.id,
      client_secret: t.machine.secret,
    });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['a wrong secret', () => basic(t.machine.id, 'wrong')],
    ['an unknown client', () => basic('nobody', 'secret')],
    ['Base64 that is not Basic syntax', () => 'Basic !!!notbase64'],
    ['credentials without a colon', () => `Basic ${Buffer.from('reports-job').toString('base64')}`],
    ['a bad percent-encoding', () => `Basic ${Buffer.from('reports%ZZjob:x').toString('base64')}`],
  ])('refuses %s with 401 invalid_client and WWW-Authenticate: Basic', async (_name, header) => {
    const response = await token({ grant_type: 'client_credentials' }, { authorization: header() });
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('form-urlencodes id and secret before Base64 (RFC 6749 §2.3.1): %XX is decoded, "+" is a space', async () => {
    const encoded = `Basic ${Buffer.from(`reports%2Djob:${t.machine.secret}`).toString('base64')}`;
    expect((await token({ grant_type: 'client_credentials' }, { authorization: encoded })).statusCode).toBe(
      200,
    );
    // "reports+job" is "reports job" once decoded: no such client.
    const plus = `Basic ${Buffer.from(`reports+job:${t.machine.secret}`).toString('base64')}`;
    expect((await token({ grant_type: 'client_credentials' }, { authorization: plus })).statusCode).toBe(401);
  });

  it('refuses a confidential client that sends no secret, and a public client that sends one', async () => {
    const noSecret = await token({ grant_type: 'client_credentials', client_id: t.machine.id });
    expect(noSecret.statusCode).toBe(401);
    const publicWithSecret = await token({
      grant_type: 'password',
      client_id: t.publicId,
      client_secret: 'x',
      ...ALICE,
    });
    expect(publicWithSecret.statusCode).toBe(401);
    const none = await token({ grant_type: 'password', ...ALICE });
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toBe('invalid_client');
  });

  it('refuses two authentication methods at once', async () => {
    const response = await token(
      { grant_type: 'client_credentials', client_secret: t.machine.secret },
      { authorization: basic(t.machine.id, t.machine.secret) },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });
});

describe('POST /oauth/token: grant checks', () => {
  it('answers unsupported_grant_type for an unknown grant', async () => {
    const response = await token({ grant_type: 'urn:example:magic', client_id: t.publicId });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('unsupported_grant_type');
  });

  it('answers unauthorized_client when the client may not use the grant', async () => {
    const response = await token(
      { grant_type: 'password', ...ALICE },
      { authorization: basic(t.machine.id, t.machine.secret) },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('unauthorized_client');
    // a public client may never use client_credentials (RFC 6749 §4.4)
    const publicClient = await token({ grant_type: 'client_credentials', client_id: t.publicId });
    expect(publicClient.json().error).toBe('unauthorized_client');
  });

  it('answers invalid_scope for a client_credentials scope the client lacks', async () => {
    const response = await token(
      { grant_type: 'client_credentials', scope: 'admin' },
      { authorization: basic(t.machine.id, t.machine.secret) },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_scope');
  });
});

describe('POST /oauth/token: malformed requests get RFC 6749 errors, never a 500', () => {
  it('refuses a repeated parameter (RFC 6749 §3.2)', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=password&client_id=${t.publicId}&username=alice&username=bob&password=x`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: 'username is repeated' });
  });

  it.each([
    ['text/plain', 'grant_type=password', 415],
    ['application/xml', '<grant_type/>', 415],
  ])('refuses content type %s', async (type, payload, status) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': type },
      payload,
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toBe('invalid_request');
  });

  it('refuses bad JSON, an empty body and a JSON array', async () => {
    for (const payload of ['{"grant_type":', '', '[1,2]', '"text"']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode, payload).toBe(400);
      expect(response.json().error).toBe('invalid_request');
      expect(response.body).not.toMatch(/at .*\.(js|ts)/);
    }
  });

  it('refuses an oversize body with 413', async () => {
    const response = await token({
      grant_type: 'password',
      client_id: t.publicId,
      username: 'a'.repeat(20_000),
      password: 'x',
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toBe('invalid_request');
  });

  it('refuses control characters and nested JSON values', async () => {
    const control = await token({
      grant_type: 'password',
      client_id: t.publicId,
      username: 'ali\u0000ce',
      password: 'x',
    });
    expect(control.statusCode).toBe(400);
    expect(control.json().error).toBe('invalid_request');
    const nested = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'password', client_id: t.publicId, username: { $ne: null }, password: 'x' },
    });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error).toBe('invalid_request');
  });

  it('requires grant_type', async () => {
    const response = await token({ client_id: t.publicId });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });

  it('answers unknown routes with a JSON 404 and a wrong method with a 405', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/nope?access_token=secret' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'not_found', error_description: 'no such route' });
    const wrongMethod = await t.app.inject({ method: 'GET', url: '/oauth/token' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });
});
