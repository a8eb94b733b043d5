/**
 * WeChat mini-program logins, the store side: which mini-program a client is (set up with
 * `sesame clients wxapp`), spending a wx.login() code once, and the Sesame user of a WeChat
 * identity (created on its first login, audited `login.ok`). The exchange at WeChat itself is in
 * jscode2session.ts; the grant (grants/wxapp.ts) puts them together.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Client, User, WechatApp } from '../../store/types.js';
import { ClientError } from '../clients/validate.js';
import type { DomainContext } from '../context.js';

export const WXAPP_GRANT_TYPE = 'urn:sesame:params:oauth:grant-type:wxapp';

/** WeChat codes live five minutes; the single-use marker outlives them. */
const CODE_MARKER_MS = 10 * 60_000;

export interface WechatSteps {
  /** The mini-program of a client, if it has one. */
  app(clientId: string): Promise<WechatApp | undefined>;
  /**
   * Sets the client's mini-program (the AppSecret stays in the server's environment variable
   * `secretEnv`) and allows it the wxapp grant; audited. Throws ERR_CLIENT_NOT_FOUND.
   */
  setApp(input: { clientId: string; appid: string; secretEnv: string }, actor: string | null): Promise<void>;
  /** Removes the client's mini-program; false when it had none. */
  removeApp(clientId: string, actor: string | null): Promise<boolean>;
  /** Spends a wx.login() code of the mini-program: true the first time only. */
  spendCode(appid: string, code: string): Promise<boolean>;
  /**
   * The user of a WeChat identity, created on its first login with what the client may grant (never
   * the admin API); audits `login.ok`. Undefined when the user cannot sign in (disabled).
   */
  login(input: {
    client: Client;
    appid: string;
    openid: string;
    unionid: string | null;
    ip: string;
  }): Promise<User | undefined>;
}

/** A user for a WeChat identity seen for the first time: no password (the hash matches nothing). */
function newWechatUser(scopes: readonly string[], now: number): User {
  return {
    id: randomUUID(),
    username: `wx-${randomBytes(12).toString('base64url')}`,
    // Not a PHC string, so no password ever verifies against it (passwords.ts answers false).
    passwordHash: '!wechat',
    // What the mini-program's client may grant, never the admin API.
    scopes: scopes.filter((scope) => scope !== 'admin'),
    disabled: false,
    profile: {},
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * @example const user = await createWechatSteps(ctx).login({ client, appid, openid, unionid, ip });
 */
export function createWechatSteps(ctx: DomainContext): WechatSteps {
  const { store } = ctx;
  return Object.freeze({
    app: (clientId) => store.findWechatApp(clientId),
    async setApp({ clientId, appid, secretEnv }, actor) {
      const client = await store.findClient(clientId);
      if (client === undefined) throw new ClientError('ERR_CLIENT_NOT_FOUND', 'no such client');
      const now = ctx.now();
      await store.setWechatApp({ clientId, appid, secretEnv, createdAt: now, updatedAt: now });
      if (!client.grantTypes.includes(WXAPP_GRANT_TYPE)) {
        await store.updateClient(clientId, {
          grantTypes: [...client.grantTypes, WXAPP_GRANT_TYPE],
          updatedAt: now,
        });
        ctx.clients.forget(clientId);
      }
      await ctx.audit({ type: 'admin.client.wxapp', actor, subject: clientId, details: { appid } });
    },
    async removeApp(clientId, actor) {
      const removed = await store.deleteWechatApp(clientId);
      if (removed)
        await ctx.audit({ type: 'admin.client.wxapp', actor, subject: clientId, details: { removed: true } });
      return removed;
    },
    async spendCode(appid, code) {
      // A code is accepted once, even where WeChat would accept it twice: spent before WeChat is asked.
      const marker = `wxapp:${appid}:${createHash('sha256').update(code).digest('base64url')}`;
      const at = ctx.now();
      return store.markUsedOnce(marker, at + CODE_MARKER_MS, at);
    },
    async login({ client, appid, openid, unionid, ip }) {
      const at = ctx.now();
      const linked = await store.linkWechatUser({
        appid,
        openid,
        unionid,
        newUser: newWechatUser(client.scopes, at),
        now: at,
      });
      const user = await store.findUserById(linked.userId);
      if (user === undefined || user.disabled) return undefined;
      await ctx.audit({
        type: 'login.ok',
        actor: user.id,
        subject: user.id,
        clientId: client.clientId,
        ip,
        details: { via: 'wxapp', created: linked.created },
      });
      return user;
    },
  } satisfies WechatSteps);
}
