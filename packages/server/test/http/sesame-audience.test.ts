import { ADMIN, basic, createTestApp, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Sesame's own bearer routes (/admin/*, /userinfo) accept only tokens whose aud includes Sesame's
 * audience (config `audience`). A token issued for another API, even with a scope named `admin`, is
 * refused there (RFC 9068 §4, RFC 8725 §3.9).
 */
const CLASSIC_SECRET = 'a-classic-shared-secret-of-32-bytes-or-more';
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

async function appWithApiClient(values: Record<string, unknown> = {}) {
  const t = await createTestApp(values);
  apps.push(t);
  for (const [clientId, audience] of [
    ['quiz-api-app', ['quiz-api']],
    ['both-app', ['quiz-api', String(values.audience ?? 'sesame')]],
  ] as const) {
    await t.services.clients.create(
      {
        name: clientId,
        clientId,
        type: 'public',
        grantTypes: ['password'],
        scopes: ['openid', 'quiz', 'admin'],
        redirectUris: [],
        audience: [...audience],
      },
      'test',
    );
  }
  return t;
}

async function adminToken(t: TestApp, clientId: string): Promise<string> {
  const response = await postForm(t.app, '/oauth/token', {
    grant_type: 'password',
    client_id: clientId,
    scope: 'openid admin',
    ...ADMIN,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().access_token;
}

const addUser = (t: TestApp, token: string) =>
  t.app.inject({
    method: 'POST',
    url: '/admin/users',
    headers: { authorization: `Bearer ${token}` },
    payload: { username: 'mallory', password: 'mallory password 1', scopes: ['openid', 'admin'] },
  });
const userinfo = (t: TestApp, token: string) =>
  t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } });

describe.each([
  ['default profile', {}],
  ['classic profile', { tokenProfile: 'classic', hmacSecret: CLASSIC_SECRET }],
  ['another Sesame audience', { audience: 'https://id.example.com' }],
])("Sesame's own routes need Sesame's audience (%s)", (_name, values) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appWithApiClient(values);
  });

  it('a token issued for another API, with scope admin, is refused at /admin/* and /userinfo', async () => {
    const token = await adminToken(t, 'quiz-api-app');
    const created = await addUser(t, token);
    expect(created.statusCode).toBe(401);
    expect(created.json().error).toBe('invalid_token');
    expect(created.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect((await t.store.findUserByName('mallory')) ?? null).toBeNull();
    expect((await userinfo(t, token)).statusCode).toBe(401);
  });

  it("a token whose aud includes Sesame's audience (default or listed) is accepted", async () => {
    for (const clientId of ['both-app', t.publicId]) {
      const token = await adminToken(t, clientId);
      expect((await userinfo(t, token)).statusCode, clientId).toBe(200);
      const list = await t.app.inject({
        method: 'GET',
        url: '/admin/users',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(list.statusCode, clientId).toBe(200);
    }
  });

  it("introspection still answers about another API's token (any audience)", async () => {
    const token = await adminToken(t, 'quiz-api-app');
    const response = await postForm(
      t.app,
      '/oauth/introspect',
      { token },
      { authorization: basic(t.confidential.id, t.confidential.secret) },
    );
    expect(response.statusCode).toBe(200);
    expect(response.json().active).toBe(true);
    expect(response.json().aud).toBe('quiz-api');
  });
});
