import { basic, createTestApp, loginAlice, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
  postForm(t.app, '/oauth/token', {
    grant_type: 'refresh_token',
    client_id: t.publicId,
    refresh_token: refreshToken,
    ...extra,
  });
const introspect = (token: string) =>
  postForm(
    t.app,
    '/oauth/introspect',
    { token },
    { authorization: basic(t.confidential.id, t.confidential.secret) },
  );
const revoke = (token: string, extra: Record<string, string> = {}) =>
  postForm(t.app, '/oauth/revoke', { token, client_id: t.publicId, ...extra });

describe('refresh_token grant', () => {
  it('rotates: a new refresh token each time, the same session (sid)', async () => {
    const first = await loginAlice(t);
    const second = await refresh(first.refresh_token);
    expect(second.statusCode).toBe(200);
    expect(second.headers['cache-control']).toBe('no-store');
    const body = second.json();
    expect(body.refresh_token).not.toBe(first.refresh_token);
    expect(body.scope).toBe('openid quiz');
    const sid = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;
    expect(sid(body.access_token)).toBe(sid(first.access_token));
  });

  it('gives the same successor again within the grace window (two tabs)', async () => {
    const first = await loginAlice(t);
    const tabA = (await refresh(first.refresh_token)).json();
    t.clock.advance(10_000);
    const tabB = await refresh(first.refresh_token);
    expect(tabB.statusCode).toBe(200);
    expect(tabB.json().refresh_token).toBe(tabA.refresh_token);
    // and the session goes on
    expect((await refresh(tabA.refresh_token)).statusCode).toBe(200);
  });

  it('answers two concurrent refreshes with one successor, never two sessions', async () => {
    const first = await loginAlice(t);
    const [a, b] = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().refresh_token).toBe(b.json().refresh_token);
  });

  it('with the grace window set to 0, an immediate second use is reuse', async () => {
    const strict = await createTestApp({ refreshGraceWindow: 0 });
    try {
      const session = await loginAlice(strict);
      const send = (token: string) =>
        postForm(strict.app, '/oauth/token', {
          grant_type: 'refresh_token',
          client_id: strict.publicId,
          refresh_token: token,
        });
      const next = (await send(session.refresh_token)).json();
      expect((await send(session.refresh_token)).json().error).toBe('invalid_grant');
      expect((await send(next.refresh_token)).json().error).toBe('invalid_grant');
    } finally {
      await strict.close();
    }
  });

  it('revokes only that family when a rotated token comes back after the grace window', async () => {
    const victim = await loginAlice(t);
    const other = await loginAlice(t);
    const rotated = (await refresh(victim.refresh_token)).json();
    t.clock.advance(31_000);
    const reuse = await refresh(victim.refresh_token);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json().error).toBe('invalid_grant');
    // the whole family is gone: the latest token too, and its access tokens
    expect((await refresh(rotated.refresh_token)).json().error).toBe('invalid_grant');
    expect((await introspect(rotated.access_token)).json()).toEqual({ active: false });
    // another session of the same user is untouched
    expect((await refresh(other.refresh_token)).statusCode).toBe(200);
    const events = await t.store.listAuditEvents({ type: 'refresh.reuse', limit: 10 });
    expect(events.length).toBeGreaterThan(0);
  });

  it('refuses a refresh token of another client, an unknown one, and a wider scope', async () => {
    const session = await loginAlice(t, 'quiz');
    const otherClient = await postForm(
      t.app,
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: session.refresh_token },
      { authorization: basic(t.confidential.id, t.confidential.secret) },
    );
    expect(otherClient.json().error).toBe('invalid_grant');
    expect((await refresh('not-a-refresh-token')).json().error).toBe('invalid_grant');
    const wider = await refresh(session.refresh_token, { scope: 'quiz openid' });
    expect(wider.json().error).toBe('invalid_scope');
    // the refused attempts did not burn the token
    expect((await refresh(session.refresh_token)).statusCode).toBe(200);
  });

  it('narrows the scope of the access token on request', async () => {
    const session = await loginAlice(t);
    const narrowed = await refresh(session.refresh_token, { scope: 'quiz' });
    expect(narrowed.json().scope).toBe('quiz');
  });
});

describe('POST /oauth/revoke (RFC 7009) and /oauth/introspect (RFC 7662)', () => {
  it('revoking a refresh token ends the session: refresh fails, its access token is inactive', async () => {
    const session = await loginAlice(t);
    expect((await introspect(session.access_token)).json()).toMatchObject({
      active: true,
      sub: t.aliceId,
      username: 'alice',
      client_id: t.publicId,
      scope: 'openid quiz',
      token_type: 'Bearer',
    });
    const revoked = await revoke(session.refresh_token, { token_type_hint: 'refresh_token' });
    expect(revoked.statusCode).toBe(200);
    expect((await refresh(session.refresh_token)).json().error).toBe('invalid_grant');
    expect((await introspect(session.access_token)).json()).toEqual({ active: false });
    expect((await introspect(session.refresh_token)).json()).toEqual({ active: false });
  });

  it('revoking an access token puts its jti on the denylist (even with a wrong hint)', async () => {
    const session = await loginAlice(t);
    expect((await revoke(session.access_token, { token_type_hint: 'refresh_token' })).statusCode).toBe(200);
    expect((await introspect(session.access_token)).json()).toEqual({ active: false });
    // the refresh token is still good
    expect((await introspect(session.refresh_token)).json()).toMatchObject({
      active: true,
      token_type: 'refresh_token',
    });
    const userinfo = await t.app.inject({
      url: '/userinfo',
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(userinfo.statusCode).toBe(401);
    // As the guard words it: the cause, not a generic "not valid".
    expect(userinfo.json()).toMatchObject({
      error: 'invalid_token',
      error_description: 'the access token has been revoked',
    });
    expect(userinfo.headers['www-authenticate']).toContain(
      'error_description="the access token has been revoked"',
    );
  });

  it('answers 200 for an unknown token, requires client authentication and the token parameter', async () => {
    expect((await revoke('whatever')).statusCode).toBe(200);
    const anonymous = await postForm(t.app, '/oauth/revoke', { token: 'x' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic/);
    const missing = await postForm(t.app, '/oauth/revoke', { client_id: t.publicId });
    expect(missing.json().error).toBe('invalid_request');
  });

  it("refuses to revoke another client's token", async () => {
    const session = await loginAlice(t);
    const response = await postForm(
      t.app,
      '/oauth/revoke',
      { token: session.refresh_token },
      { authorization: basic(t.confidential.id, t.confidential.secret) },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('unauthorized_client');
    expect((await refresh(session.refresh_token)).statusCode).toBe(200);
  });

  it('introspection says only active:false for garbage, expired and foreign tokens', async () => {
    expect((await introspect('garbage')).json()).toEqual({ active: false });
    const session = await loginAlice(t);
    t.clock.advance(16 * 60_000);
    expect((await introspect(session.access_token)).json()).toEqual({ active: false });
    // a public client may introspect only its own tokens
    const machine = await postForm(
      t.app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(t.machine.id, t.machine.secret) },
    );
    const foreign = await postForm(t.app, '/oauth/introspect', {
      token: machine.json().access_token,
      client_id: t.publicId,
    });
    expect(foreign.json()).toEqual({ active: false });
    const unauthenticated = await postForm(t.app, '/oauth/introspect', { token: 'x' });
    expect(unauthenticated.statusCode).toBe(401);
  });
});
