/**
 * Withdrawing what was issued (src/domain/tokens/withdraw.ts): a password change, a scope taken away, a
 * client removed, a key revoked — each takes back the refresh families and the access tokens
 * issued under it, at the server at once.
 */

import {
  ALICE,
  basic,
  createTestApp,
  loginAdmin,
  loginAlice,
  postForm,
  type TestApp,
} from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const userinfo = (token: string) =>
  t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${token}` } });
const refresh = (refreshToken: string, scope?: string) =>
  postForm(t.app, '/oauth/token', {
    grant_type: 'refresh_token',
    client_id: t.publicId,
    refresh_token: refreshToken,
    ...(scope === undefined ? {} : { scope }),
  });
const patchAlice = async (payload: Record<string, unknown>) => {
  const admin = `Bearer ${await loginAdmin(t)}`;
  const response = await t.app.inject({
    method: 'PATCH',
    url: `/admin/users/${t.aliceId}`,
    headers: { authorization: admin },
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
};

describe('a password change', () => {
  it('ends the refresh families and refuses the access tokens issued before it', async () => {
    const before = await loginAlice(t);
    expect((await userinfo(before.access_token)).statusCode).toBe(200);
    await patchAlice({ password: 'a brand new password' });

    const refreshed = await refresh(before.refresh_token);
    expect(refreshed.statusCode).toBe(400);
    expect(refreshed.json().error).toBe('invalid_grant');
    expect((await userinfo(before.access_token)).statusCode).toBe(401);
    const families = await t.store.listUserFamilies(t.aliceId, t.services.now());
    expect(families).toEqual([]);

    // The next second: a login with the new password works; the old password does not.
    t.clock.advance(1000);
    const old = await postForm(t.app, '/oauth/token', {
      grant_type: 'password',
      client_id: t.publicId,
      ...ALICE,
    });
    expect(old.statusCode).toBe(400);
    await patchAlice({ password: ALICE.password });
    t.clock.advance(1000);
    const after = await loginAlice(t);
    expect((await userinfo(after.access_token)).statusCode).toBe(200);
  });
});

describe('a scope taken away', () => {
  it('narrows the next refresh and refuses the access tokens that carry it', async () => {
    t.clock.advance(1000);
    const before = await loginAlice(t);
    expect(before.scope).toBe('openid quiz');
    await patchAlice({ scopes: ['openid'] });
    // The access token issued before the change is refused (it may carry the removed scope).
    expect((await userinfo(before.access_token)).statusCode).toBe(401);
    t.clock.advance(1000);
    const narrowed = await refresh(before.refresh_token);
    expect(narrowed.statusCode, narrowed.body).toBe(200);
    expect(narrowed.json().scope).toBe('openid');
    // Asking for the removed scope explicitly does not bring it back either.
    const asked = await refresh(narrowed.json().refresh_token, 'openid quiz');
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json().scope).toBe('openid');
    expect((await userinfo(asked.json().access_token)).statusCode).toBe(200);
    await patchAlice({ scopes: ['openid', 'quiz'] });
  });

  it('adding a scope withdraws nothing', async () => {
    t.clock.advance(1000);
    const before = await loginAlice(t);
    await patchAlice({ scopes: ['openid', 'quiz', 'reports'] });
    expect((await userinfo(before.access_token)).statusCode).toBe(200);
    await patchAlice({ scopes: ['openid', 'quiz'] });
  });

  it('a scope taken away from the client is not refreshed back either', async () => {
    t.clock.advance(1000);
    const before = await loginAlice(t);
    const client = (await t.store.findClient(t.publicId))!;
    await t.store.updateClient(t.publicId, {
      scopes: client.scopes.filter((scope) => scope !== 'quiz'),
      updatedAt: t.services.now(),
    });
    t.clock.advance(1_001); // past the second a client is remembered, as for a change made elsewhere
    try {
      const narrowed = await refresh(before.refresh_token);
      expect(narrowed.statusCode, narrowed.body).toBe(200);
      expect(narrowed.json().scope).toBe('openid');
    } finally {
      await t.store.updateClient(t.publicId, { scopes: client.scopes, updatedAt: t.services.now() });
      t.clock.advance(1_001);
    }
  });
});

describe('a client removed', () => {
  it("ends the client's families and refuses its access tokens at once", async () => {
    t.clock.advance(1000);
    const made = await t.services.clients.create(
      {
        name: 'doomed',
        clientId: 'doomed',
        type: 'confidential',
        grantTypes: ['password', 'refresh_token', 'client_credentials'],
        scopes: ['openid', 'quiz', 'admin'],
        redirectUris: [],
      },
      'test',
    );
    const auth = basic('doomed', made.clientSecret!);
    const machine = await postForm(
      t.app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: auth },
    );
    const user = await postForm(
      t.app,
      '/oauth/token',
      { grant_type: 'password', ...ALICE },
      { authorization: auth },
    );
    expect(machine.statusCode, machine.body).toBe(200);
    expect(user.statusCode, user.body).toBe(200);
    const tokens = [machine.json().access_token as string, user.json().access_token as string];
    const revoked = (token: string) =>
      t.services.revocations.isRevoked(t.services.accessTokens.verify(token));
    for (const token of tokens) expect(await revoked(token)).toBe(false);
    expect((await userinfo(tokens[1]!)).statusCode).toBe(200);

    const admin = `Bearer ${await loginAdmin(t)}`;
    const removed = await t.app.inject({
      method: 'DELETE',
      url: '/admin/clients/doomed',
      headers: { authorization: admin },
    });
    expect(removed.statusCode, removed.body).toBe(204);

    for (const token of tokens) expect(await revoked(token)).toBe(true);
    expect((await userinfo(tokens[1]!)).statusCode).toBe(401);
    const family = await t.services.sessions.familyOf(user.json().refresh_token);
    expect(family).toMatchObject({ clientId: 'doomed', revokedReason: 'client removed' });
    // Tokens of other clients are untouched.
    const other = await loginAlice(t);
    t.clock.advance(1000);
    expect((await userinfo(other.access_token)).statusCode).toBe(200);
  });
});

describe('a signing key revoked', () => {
  it('leaves the JWKS and every token it signed is refused at once; new tokens work', async () => {
    t.clock.advance(1000);
    const before = await loginAlice(t);
    const kid = t.services.accessTokens.verify(before.access_token).kid!;
    expect((await userinfo(before.access_token)).statusCode).toBe(200);
    const admin = `Bearer ${await loginAdmin(t)}`;
    const revoke = (id: string) =>
      t.app.inject({ method: 'POST', url: `/admin/keys/${id}/revoke`, headers: { authorization: admin } });

    const missing = await revoke('no-such-kid');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('not_found');

    const revoked = await revoke(kid);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toContainEqual(expect.objectContaining({ kid, state: 'revoked' }));
    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.json().keys.map((key: { kid: string }) => key.kid)).not.toContain(kid);
    expect((await userinfo(before.access_token)).statusCode).toBe(401);
    // Refused by the denylist too, not only because the key is gone from this process.
    expect(await t.services.revocations.isRevoked({ kid, sub: t.aliceId, iat: 0 })).toBe(true);
    const refreshed = await refresh(before.refresh_token);
    expect(refreshed.statusCode).toBe(200);
    expect(t.services.accessTokens.verify(refreshed.json().access_token).kid).not.toBe(kid);
    expect((await userinfo(refreshed.json().access_token)).statusCode).toBe(200);
  });
});
