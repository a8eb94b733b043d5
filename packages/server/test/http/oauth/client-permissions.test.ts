/**
 * Client permissions: introspection answers a token's details only to clients entitled to them (the
 * client it was issued to, a client named in its aud, or one with `introspect`), `active: false` to
 * others; the revocation feed needs `revocations`. Set by the admin API here, by the CLI in
 * test/cli/clients-permissions.process.test.ts.
 */

import { basic, createTestApp, loginAdmin, loginAlice, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
/** A confidential client without permissions: unrelated to alice's tokens. */
let unrelated: string;
beforeAll(async () => {
  t = await createTestApp();
  unrelated = basic(t.machine.id, t.machine.secret);
});
afterAll(async () => t.close());

const introspect = (token: string, authorization: string) =>
  postForm(t.app, '/oauth/introspect', { token }, { authorization });
const feed = (authorization: string) =>
  t.app.inject({ method: 'GET', url: '/oauth/revocations', headers: { authorization } });

describe('POST /oauth/introspect: only to entitled clients', () => {
  it('an unrelated confidential client gets active:false for access and refresh tokens', async () => {
    const session = await loginAlice(t);
    for (const token of [session.access_token, session.refresh_token]) {
      const response = await introspect(token, unrelated);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ active: false });
    }
  });

  it('a client with the introspect permission, and the client the token was issued to, get the details', async () => {
    const session = await loginAlice(t);
    const permitted = basic(t.confidential.id, t.confidential.secret);
    expect((await introspect(session.access_token, permitted)).json()).toMatchObject({
      active: true,
      username: 'alice',
    });
    expect((await introspect(session.refresh_token, permitted)).json().active).toBe(true);
    const own = await postForm(t.app, '/oauth/introspect', {
      token: session.access_token,
      client_id: t.publicId,
    });
    expect(own.json()).toMatchObject({ active: true, sub: t.aliceId });
  });

  it("the resource server named in the token's aud gets its details, and only those tokens'", async () => {
    const api = await t.services.clients.create(
      {
        name: 'quiz api',
        clientId: 'quiz-api',
        grantTypes: ['client_credentials'],
      },
      'test',
    );
    await t.services.clients.create(
      {
        name: 'for quiz api',
        clientId: 'for-quiz-api',
        type: 'public',
        grantTypes: ['password'],
        scopes: ['openid', 'quiz'],
        audience: ['quiz-api'],
      },
      'test',
    );
    const forApi = await postForm(t.app, '/oauth/token', {
      grant_type: 'password',
      client_id: 'for-quiz-api',
      username: 'alice',
      password: 'correct horse battery',
    });
    const auth = basic('quiz-api', api.clientSecret!);
    expect((await introspect(forApi.json().access_token, auth)).json()).toMatchObject({
      active: true,
      aud: 'quiz-api',
    });
    expect((await introspect((await loginAlice(t)).access_token, auth)).json()).toEqual({ active: false });
    const { refresh_token } = await loginAlice(t);
    expect((await introspect(refresh_token, auth)).json()).toEqual({ active: false });
  });
});

describe('GET /oauth/revocations: the revocations permission', () => {
  it('refuses a client without it with 403 unauthorized_client, at once when it is taken away', async () => {
    const refused = await feed(unrelated);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'unauthorized_client' });
    expect(refused.json().error_description).toMatch(/revocations permission/);
    const stream = await t.app.inject({
      method: 'GET',
      url: '/oauth/revocations/stream',
      headers: { authorization: unrelated },
    });
    expect(stream.statusCode).toBe(403);

    await t.services.clients.change(t.machine.id, { permissions: ['revocations'] }, 'test');
    expect((await feed(unrelated)).statusCode).toBe(200);
    await t.services.clients.change(t.machine.id, { permissions: [] }, 'test');
    expect((await feed(unrelated)).statusCode).toBe(403);
  });
});

describe('/admin/clients: permissions', () => {
  let admin: string;
  beforeAll(async () => {
    admin = `Bearer ${await loginAdmin(t)}`;
  });

  it('registers a client with permissions and changes them with PATCH', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/clients',
      headers: { authorization: admin },
      payload: { name: 'resource server', permissions: ['introspect'] },
    });
    expect(created.statusCode).toBe(201);
    const { client } = created.json();
    expect(client.permissions).toEqual(['introspect']);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/admin/clients/${client.clientId}`,
      headers: { authorization: admin },
      payload: { permissions: ['introspect', 'revocations'] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().permissions).toEqual(['introspect', 'revocations']);
    const listed = (
      await t.app.inject({ method: 'GET', url: '/admin/clients', headers: { authorization: admin } })
    ).json();
    expect(listed.find((c: { clientId: string }) => c.clientId === client.clientId).permissions).toEqual([
      'introspect',
      'revocations',
    ]);
  });

  it('refuses an unknown permission (400) and an unknown client (404)', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/admin/clients',
      headers: { authorization: admin },
      payload: { name: 'x', permissions: ['everything'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_request');
    const missing = await t.app.inject({
      method: 'PATCH',
      url: '/admin/clients/nobody',
      headers: { authorization: admin },
      payload: { permissions: [] },
    });
    expect(missing.statusCode).toBe(404);
  });
});
