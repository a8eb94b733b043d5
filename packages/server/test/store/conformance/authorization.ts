import { describe, expect, it } from 'vitest';
import type { AuthorizationCode } from '../../../src/store/types.js';
import { aClient, aUser, type ConformanceContext, hash, MINUTE, T0 } from './fixtures.js';

export function aCode(overrides: Partial<AuthorizationCode> = {}): AuthorizationCode {
  return {
    codeHash: hash(`code-${Math.random()}`),
    clientId: 'c-1',
    userId: 'u-1',
    redirectUri: 'https://app.example/cb',
    redirectUriGiven: true,
    scope: 'openid',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    createdAt: T0,
    expiresAt: T0 + MINUTE,
    usedAt: null,
    reusedAt: null,
    familyId: null,
    accessJti: null,
    accessExpiresAt: null,
    nonce: null,
    authTime: null,
    browserSid: null,
    claims: null,
    dpopJkt: null,
    ...overrides,
  };
}

/** Authorization codes, consents, WeChat apps and identities (issue 6). */
export function authorizationConformance(ctx: ConformanceContext): void {
  describe('authorization codes', () => {
    it('stores a code and finds it by hash; unknown hashes are undefined', async () => {
      const code = aCode({ redirectUriGiven: false });
      await ctx.store.createAuthorizationCode(code);
      expect(await ctx.store.findAuthorizationCode(code.codeHash)).toEqual(code);
      expect(await ctx.store.findAuthorizationCode(hash('nope'))).toBeUndefined();
    });

    it('keeps the nonce exactly, the login time and its browser session (OpenID Connect), and each as null', async () => {
      const nonce = `n\u00d8nce \u{1F600} +/=&?%${'x'.repeat(400)}`;
      const code = aCode({ nonce, authTime: T0 - 5 * MINUTE, browserSid: 'sid-1' });
      await ctx.store.createAuthorizationCode(code);
      expect(await ctx.store.findAuthorizationCode(code.codeHash)).toEqual(code);
      const redeemed = await ctx.store.redeemAuthorizationCode(code.codeHash, T0 + 1);
      expect(redeemed).toEqual({ kind: 'redeemed', code: { ...code, usedAt: T0 + 1 } });
      const plain = aCode();
      await ctx.store.createAuthorizationCode(plain);
      expect(await ctx.store.findAuthorizationCode(plain.codeHash)).toMatchObject({
        nonce: null,
        authTime: null,
        browserSid: null,
      });
    });

    it('keeps the DPoP key thumbprint a code is bound to (RFC 9449 §10), and none as null', async () => {
      const code = aCode({ dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
      await ctx.store.createAuthorizationCode(code);
      expect(await ctx.store.findAuthorizationCode(code.codeHash)).toEqual(code);
      const redeemed = await ctx.store.redeemAuthorizationCode(code.codeHash, T0 + 1);
      expect(redeemed).toEqual({ kind: 'redeemed', code: { ...code, usedAt: T0 + 1 } });
    });

    it('keeps the claims asked for by name (userinfo and id_token, in order), and none as null', async () => {
      const claims = { userinfo: ['email', 'name'], idToken: ['email_verified', 'picture'] };
      const code = aCode({ claims });
      await ctx.store.createAuthorizationCode(code);
      expect(await ctx.store.findAuthorizationCode(code.codeHash)).toEqual(code);
      const redeemed = await ctx.store.redeemAuthorizationCode(code.codeHash, T0 + 1);
      expect(redeemed.kind === 'redeemed' && redeemed.code.claims).toEqual(claims);
      const empty = aCode({ claims: { userinfo: [], idToken: [] } });
      await ctx.store.createAuthorizationCode(empty);
      expect((await ctx.store.findAuthorizationCode(empty.codeHash))?.claims).toEqual({
        userinfo: [],
        idToken: [],
      });
      const none = aCode();
      await ctx.store.createAuthorizationCode(none);
      expect((await ctx.store.findAuthorizationCode(none.codeHash))?.claims).toBeNull();
    });

    it('keeps a code issued without a challenge as such (null), never as a challenge', async () => {
      const code = aCode({ codeChallenge: null });
      await ctx.store.createAuthorizationCode(code);
      expect(await ctx.store.findAuthorizationCode(code.codeHash)).toEqual(code);
    });

    it('redeems once: the second redemption is reuse (stamped once), an unknown code is unknown', async () => {
      const code = aCode();
      await ctx.store.createAuthorizationCode(code);
      const first = await ctx.store.redeemAuthorizationCode(code.codeHash, T0 + 1);
      expect(first).toEqual({ kind: 'redeemed', code: { ...code, usedAt: T0 + 1 } });
      const second = await ctx.store.redeemAuthorizationCode(code.codeHash, T0 + 2);
      expect(second).toEqual({ kind: 'reused', code: { ...code, usedAt: T0 + 1, reusedAt: T0 + 2 } });
      const third = await ctx.store.redeemAuthorizationCode(code.codeHash, T0 + 3);
      expect(third.kind === 'reused' && third.code.reusedAt).toBe(T0 + 2);
      expect(await ctx.store.redeemAuthorizationCode(hash('nope'), T0)).toEqual({ kind: 'unknown' });
    });

    it('exactly one of many concurrent redemptions, across two instances, wins', async () => {
      const code = aCode();
      await ctx.store.createAuthorizationCode(code);
      const other = await ctx.second();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? other : ctx.store).redeemAuthorizationCode(code.codeHash, T0 + i),
        ),
      );
      expect(results.filter((r) => r.kind === 'redeemed')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'reused')).toHaveLength(7);
    });

    it('records the tokens minted and answers the row (with a reuse that happened meanwhile)', async () => {
      const code = aCode();
      await ctx.store.createAuthorizationCode(code);
      await ctx.store.redeemAuthorizationCode(code.codeHash, T0 + 1);
      await ctx.store.redeemAuthorizationCode(code.codeHash, T0 + 2);
      const tokens = { familyId: 'f-1', accessJti: 'j-1', accessExpiresAt: T0 + 15 * MINUTE };
      expect(await ctx.store.recordCodeTokens(code.codeHash, tokens)).toEqual({
        ...code,
        ...tokens,
        usedAt: T0 + 1,
        reusedAt: T0 + 2,
      });
      expect(await ctx.store.recordCodeTokens(hash('nope'), tokens)).toBeUndefined();
    });

    it('drops codes that expired over an hour ago when a new one is stored, keeps recent ones', async () => {
      const old = aCode({ createdAt: T0, expiresAt: T0 + MINUTE });
      const recent = aCode({ createdAt: T0 + 30 * MINUTE, expiresAt: T0 + 31 * MINUTE });
      await ctx.store.createAuthorizationCode(old);
      await ctx.store.createAuthorizationCode(recent);
      await ctx.store.createAuthorizationCode(aCode({ createdAt: T0 + 62 * MINUTE }));
      expect(await ctx.store.findAuthorizationCode(old.codeHash)).toBeUndefined();
      expect(await ctx.store.findAuthorizationCode(recent.codeHash)).toEqual(recent);
    });
  });

  describe('consents', () => {
    it('saves, replaces, finds, lists and deletes the consent of a user to a client', async () => {
      const user = aUser();
      const [a, b] = [aClient(), aClient()];
      await ctx.store.createUser(user);
      await ctx.store.createClient(a);
      await ctx.store.createClient(b);
      const consent = {
        userId: user.id,
        clientId: a.clientId,
        scopes: ['openid'],
        createdAt: T0,
        updatedAt: T0,
      };
      await ctx.store.saveConsent(consent);
      await ctx.store.saveConsent({ ...consent, clientId: b.clientId });
      await ctx.store.saveConsent({
        ...consent,
        scopes: ['openid', 'quiz'],
        createdAt: T0 + 9,
        updatedAt: T0 + 9,
      });
      expect(await ctx.store.findConsent(user.id, a.clientId)).toEqual({
        ...consent,
        scopes: ['openid', 'quiz'],
        updatedAt: T0 + 9,
      });
      expect((await ctx.store.listConsents(user.id)).map((c) => c.clientId).sort()).toEqual(
        [a.clientId, b.clientId].sort(),
      );
      expect(await ctx.store.deleteConsent(user.id, a.clientId)).toBe(true);
      expect(await ctx.store.deleteConsent(user.id, a.clientId)).toBe(false);
      expect(await ctx.store.findConsent(user.id, a.clientId)).toBeUndefined();
      expect(await ctx.store.listConsents('nobody')).toEqual([]);
    });

    it('goes with its client', async () => {
      const user = aUser();
      const client = aClient();
      await ctx.store.createUser(user);
      await ctx.store.createClient(client);
      await ctx.store.saveConsent({
        userId: user.id,
        clientId: client.clientId,
        scopes: [],
        createdAt: T0,
        updatedAt: T0,
      });
      await ctx.store.deleteClient(client.clientId);
      expect(await ctx.store.listConsents(user.id)).toEqual([]);
    });
  });

  describe('WeChat apps and identities', () => {
    it('sets, replaces, finds and deletes the WeChat app of a client', async () => {
      const client = aClient();
      await ctx.store.createClient(client);
      const app = {
        clientId: client.clientId,
        appid: 'wx1',
        secretEnv: 'WX_ONE',
        createdAt: T0,
        updatedAt: T0,
      };
      await ctx.store.setWechatApp(app);
      await ctx.store.setWechatApp({ ...app, appid: 'wx2', createdAt: T0 + 5, updatedAt: T0 + 5 });
      expect(await ctx.store.findWechatApp(client.clientId)).toEqual({
        ...app,
        appid: 'wx2',
        updatedAt: T0 + 5,
      });
      expect(await ctx.store.deleteWechatApp(client.clientId)).toBe(true);
      expect(await ctx.store.deleteWechatApp(client.clientId)).toBe(false);
      expect(await ctx.store.findWechatApp(client.clientId)).toBeUndefined();
    });

    it('creates the user on first login, then finds it by openid; unionid links other apps', async () => {
      const first = await ctx.store.linkWechatUser({
        appid: 'wxA',
        openid: 'o1',
        unionid: null,
        newUser: aUser({ username: 'wx-first' }),
        now: T0,
      });
      expect(first.created).toBe(true);
      expect((await ctx.store.findUserById(first.userId))?.username).toBe('wx-first');

      const again = await ctx.store.linkWechatUser({
        appid: 'wxA',
        openid: 'o1',
        unionid: 'u1',
        newUser: aUser(),
        now: T0 + 1,
      });
      expect(again).toEqual({ userId: first.userId, created: false });

      // Another mini-program of the same Open Platform account: other openid, same unionid.
      const sibling = await ctx.store.linkWechatUser({
        appid: 'wxB',
        openid: 'o2',
        unionid: 'u1',
        newUser: aUser(),
        now: T0 + 2,
      });
      expect(sibling).toEqual({ userId: first.userId, created: false });

      const stranger = await ctx.store.linkWechatUser({
        appid: 'wxA',
        openid: 'o3',
        unionid: null,
        newUser: aUser(),
        now: T0 + 3,
      });
      expect(stranger.created).toBe(true);
      expect(stranger.userId).not.toBe(first.userId);
      expect(await ctx.store.countUsers()).toBe(2);
    });

    it('creates one user when two first logins of one identity race, across two instances', async () => {
      const other = await ctx.second();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? other : ctx.store).linkWechatUser({
            appid: 'wxA',
            openid: 'race',
            unionid: null,
            newUser: aUser(),
            now: T0,
          }),
        ),
      );
      expect(new Set(results.map((r) => r.userId)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await ctx.store.countUsers()).toBe(1);
    });
  });
}
