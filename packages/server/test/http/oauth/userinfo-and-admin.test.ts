import { basic, createTestApp, loginAdmin, loginAlice, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const get = (url: string, authorization?: string) =>
  t.app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

describe('GET /userinfo (RFC 6750 errors)', () => {
  it('returns the account behind a user token', async () => {
    const session = await loginAlice(t);
    const response = await get('/userinfo', `Bearer ${session.access_token}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: t.aliceId, username: 'alice', scopes: ['openid', 'quiz'] });
  });

  it('without credentials, or with another scheme: 401 and a challenge without an error code (§3.1)', async () => {
    for (const header of [undefined, 'Basic abc']) {
      const response = await get('/userinfo', header);
      expect(response.statusCode, String(header)).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="sesame"');
    }
  });

  it('a malformed header or a token in the query: 400 invalid_request', async () => {
    for (const [url, header] of [
      ['/userinfo', 'Bearer two words'],
      ['/userinfo', 'Bearer abc\u00a0'],
      ['/userinfo?access_token=abc', undefined],
    ] as const) {
      const response = await get(url, header);
      expect(response.statusCode, String(header)).toBe(400);
      expect(response.headers['www-authenticate']).toMatch(/error="invalid_request"/);
      expect(response.json().error).toBe('invalid_request');
    }
  });

  it('a bad, expired or revoked token: 401 invalid_token', async () => {
    const session = await loginAlice(t);
    const [h, p, s] = session.access_token.split('.');
    const tampered = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
    const bad = await get('/userinfo', `Bearer ${tampered}`);
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer realm="sesame", error="invalid_token"/);
    t.clock.advance(15 * 60_000 + 1000);
    expect((await get('/userinfo', `Bearer ${session.access_token}`)).statusCode).toBe(401);
  });

  it('a client_credentials token has no user: invalid_token', async () => {
    const machine = await postForm(
      t.app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(t.machine.id, t.machine.secret) },
    );
    const response = await get('/userinfo', `Bearer ${machine.json().access_token}`);
    expect(response.statusCode).toBe(401);
  });
});

describe('/admin (scope admin)', () => {
  it('refuses a token without scope admin with 403 insufficient_scope, and no token with 401', async () => {
    const session = await loginAlice(t);
    const response = await get('/admin/users', `Bearer ${session.access_token}`);
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toMatch(/error="insufficient_scope", .*scope="admin"/);
    expect((await get('/admin/users')).statusCode).toBe(401);
  });

  it('lists, creates, changes users; never shows a password hash', async () => {
    const admin = `Bearer ${await loginAdmin(t)}`;
    const list = await get('/admin/users', admin);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('argon2');
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { authorization: admin },
      payload: { username: 'bob', password: 'bob password', scopes: ['openid', 'quiz'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'bob', scopes: ['openid', 'quiz'], disabled: false });
    const duplicate = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { authorization: admin },
      payload: { username: 'BOB', password: 'bob password' },
    });
    expect(duplicate.statusCode).toBe(409);
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { authorization: admin },
      payload: { username: 'carol', password: 'short' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toBe('invalid_request');
  });

  it('revokes every session of a user: refresh fails and their access tokens are refused', async () => {
    const admin = `Bearer ${await loginAdmin(t)}`;
    const one = await loginAlice(t);
    const two = await loginAlice(t);
    const sessions = await get(`/admin/users/${t.aliceId}/sessions`, admin);
    expect(sessions.json().length).toBeGreaterThanOrEqual(2);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/admin/users/${t.aliceId}/sessions`,
      headers: { authorization: admin },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked.length).toBeGreaterThanOrEqual(2);
    for (const session of [one, two]) {
      const again = await postForm(t.app, '/oauth/token', {
        grant_type: 'refresh_token',
        client_id: t.publicId,
        refresh_token: session.refresh_token,
      });
      expect(again.json().error).toBe('invalid_grant');
      expect((await get('/userinfo', `Bearer ${session.access_token}`)).statusCode).toBe(401);
    }
    expect((await get('/admin/users/nobody/sessions', admin)).statusCode).toBe(200);
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: '/admin/users/nobody/sessions',
          headers: { authorization: admin },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('registers a client (secret shown once), lists clients without secrets, removes it', async () => {
    const admin = `Bearer ${await loginAdmin(t)}`;
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/clients',
      headers: { authorization: admin },
      payload: { name: 'grader', grantTypes: ['client_credentials'], scopes: ['reports'] },
    });
    expect(created.statusCode).toBe(201);
    const { client, client_secret } = created.json();
    expect(client_secret).toMatch(/^[\w-]{43}$/);
    const list = await get('/admin/clients', admin);
    expect(list.body).not.toContain(client_secret);
    expect(list.body).not.toContain('secretHash');
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/admin/clients/${client.clientId}`,
      headers: { authorization: admin },
    });
    expect(removed.statusCode).toBe(204);
    // 204: no body, and no content-type or content-length (RFC 9110 §8.6).
    expect(removed.body).toBe('');
    expect(removed.headers['content-type']).toBeUndefined();
    expect(removed.headers['content-length']).toBeUndefined();
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/admin/clients/${client.clientId}`,
      headers: { authorization: admin },
    });
    expect(again.statusCode).toBe(404);
  });

  it('lists keys, rotates them, and shows the audit trail', async () => {
    const admin = `Bearer ${await loginAdmin(t)}`;
    const before = (await get('/admin/keys', admin)).json();
    const shown = (keys: Array<{ alg: string; state: string }>) =>
      keys.map((key) => `${key.alg} ${key.state}`).sort();
    expect(shown(before)).toEqual(['ES256 current', 'ES256 next', 'RS256 current', 'RS256 next']);
    expect(JSON.stringify(before)).not.toMatch(/"d"|privateJwk/);
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/admin/keys/rotate',
      headers: { authorization: admin },
    });
    expect(rotated.statusCode).toBe(200);
    // Both algorithms' keys rotate together.
    expect(shown(rotated.json())).toEqual([
      'ES256 current',
      'ES256 next',
      'ES256 retired',
      'RS256 current',
      'RS256 next',
      'RS256 retired',
    ]);
    const audit = await get('/admin/audit?type=login.ok&limit=5', admin);
    expect(audit.statusCode).toBe(200);
    expect(audit.json().length).toBeGreaterThan(0);
    expect(audit.body).not.toMatch(/password|refresh_token/);
    const badLimit = await get('/admin/audit?limit=0', admin);
    expect(badLimit.statusCode).toBe(400);
    // Integers no store can compare exactly: refused before any query (PostgreSQL's bigint failed).
    for (const path of [
      '/admin/audit?afterId=100000000000000000000',
      '/admin/audit?since=9223372036854775808',
      '/admin/users?offset=9007199254740992',
    ]) {
      const tooLarge = await get(path, admin);
      expect(tooLarge.statusCode, path).toBe(400);
      expect(tooLarge.json().error, path).toBe('invalid_request');
    }
    expect((await get('/admin/audit?afterId=9007199254740991', admin)).statusCode).toBe(200);
  });
});
