/**
 * Authorization codes, consents, WeChat apps and WeChat identities. The single use of a code and
 * the first-login linking of a WeChat identity are each one write transaction with conditional
 * statements, never read-modify-write in JavaScript.
 */
import type { Selectable } from 'kysely';
import type { AuthorizationCode, Consent, Store, WechatApp } from '../types.js';
import type { SqlContext } from './context.js';
import { claimsFromColumn, claimsToColumn, list, num, numOrNull, usernameKey } from './rows.js';
import type { AuthorizationCodesTable, ConsentsTable, WechatAppsTable } from './schema.js';

type AuthorizationMethods = Pick<
  Store,
  | 'createAuthorizationCode'
  | 'findAuthorizationCode'
  | 'redeemAuthorizationCode'
  | 'recordCodeTokens'
  | 'saveConsent'
  | 'findConsent'
  | 'listConsents'
  | 'deleteConsent'
  | 'setWechatApp'
  | 'findWechatApp'
  | 'deleteWechatApp'
  | 'linkWechatUser'
>;

/** A used code is kept this long after it expires, so a late second use still revokes its tokens. */
const CODE_KEEP_MS = 3_600_000;

function toCode(row: Selectable<AuthorizationCodesTable>): AuthorizationCode {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    redirectUriGiven: num(row.redirect_uri_given) !== 0,
    scope: row.scope,
    // The column is NOT NULL (002): a code issued without PKCE is stored with an empty challenge.
    codeChallenge: row.code_challenge === '' ? null : row.code_challenge,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    usedAt: numOrNull(row.used_at),
    reusedAt: numOrNull(row.reused_at),
    familyId: row.family_id,
    accessJti: row.access_jti,
    accessExpiresAt: numOrNull(row.access_expires_at),
    nonce: row.nonce,
    authTime: numOrNull(row.auth_time),
    browserSid: row.browser_sid,
    claims: claimsFromColumn(row.claims),
    dpopJkt: row.dpop_jkt,
  };
}

function toConsent(row: Selectable<ConsentsTable>): Consent {
  return {
    userId: row.user_id,
    clientId: row.client_id,
    scopes: list(row.scopes),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

function toWechatApp(row: Selectable<WechatAppsTable>): WechatApp {
  return {
    clientId: row.client_id,
    appid: row.appid,
    secretEnv: row.secret_env,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

export function authorizationQueries({ db, write }: SqlContext): AuthorizationMethods {
  const findCode = async (codeHash: string, via = db) => {
    const row = await via
      .selectFrom('authorization_codes')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .executeTakeFirst();
    return row && toCode(row);
  };
  return {
    createAuthorizationCode: (code) =>
      write(async (trx) => {
        await trx
          .deleteFrom('authorization_codes')
          .where('expires_at', '<=', code.createdAt - CODE_KEEP_MS)
          .execute();
        await trx
          .insertInto('authorization_codes')
          .values({
            code_hash: code.codeHash,
            client_id: code.clientId,
            user_id: code.userId,
            redirect_uri: code.redirectUri,
            redirect_uri_given: code.redirectUriGiven ? 1 : 0,
            scope: code.scope,
            code_challenge: code.codeChallenge ?? '',
            created_at: code.createdAt,
            expires_at: code.expiresAt,
            used_at: code.usedAt,
            reused_at: code.reusedAt,
            family_id: code.familyId,
            access_jti: code.accessJti,
            access_expires_at: code.accessExpiresAt,
            nonce: code.nonce,
            auth_time: code.authTime,
            browser_sid: code.browserSid,
            claims: claimsToColumn(code.claims),
            dpop_jkt: code.dpopJkt,
          })
          .execute();
      }),
    findAuthorizationCode: (codeHash) => findCode(codeHash),
    redeemAuthorizationCode: (codeHash, now) =>
      write(async (trx) => {
        const first = await trx
          .updateTable('authorization_codes')
          .set({ used_at: now })
          .where('code_hash', '=', codeHash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(first.numUpdatedRows) === 1) {
          return { kind: 'redeemed' as const, code: (await findCode(codeHash, trx))! };
        }
        // Only the first reuse is stamped; later ones find the code as it is.
        await trx
          .updateTable('authorization_codes')
          .set({ reused_at: now })
          .where('code_hash', '=', codeHash)
          .where('reused_at', 'is', null)
          .execute();
        const code = await findCode(codeHash, trx);
        if (code === undefined) return { kind: 'unknown' as const };
        return { kind: 'reused' as const, code };
      }),
    recordCodeTokens: (codeHash, tokens) =>
      write(async (trx) => {
        await trx
          .updateTable('authorization_codes')
          .set({
            family_id: tokens.familyId,
            access_jti: tokens.accessJti,
            access_expires_at: tokens.accessExpiresAt,
          })
          .where('code_hash', '=', codeHash)
          .execute();
        return findCode(codeHash, trx);
      }),

    saveConsent: (consent) =>
      write(async (trx) => {
        await trx
          .insertInto('consents')
          .values({
            user_id: consent.userId,
            client_id: consent.clientId,
            scopes: JSON.stringify(consent.scopes),
            created_at: consent.createdAt,
            updated_at: consent.updatedAt,
          })
          .onConflict((oc) =>
            oc
              .columns(['user_id', 'client_id'])
              .doUpdateSet({ scopes: JSON.stringify(consent.scopes), updated_at: consent.updatedAt }),
          )
          .execute();
      }),
    async findConsent(userId, clientId) {
      const row = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && toConsent(row);
    },
    async listConsents(userId) {
      const rows = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('client_id')
        .execute();
      return rows.map(toConsent);
    },
    async deleteConsent(userId, clientId) {
      const result = await write((trx) =>
        trx
          .deleteFrom('consents')
          .where('user_id', '=', userId)
          .where('client_id', '=', clientId)
          .executeTakeFirst(),
      );
      return Number(result.numDeletedRows) > 0;
    },

    setWechatApp: (app) =>
      write(async (trx) => {
        await trx
          .insertInto('wechat_apps')
          .values({
            client_id: app.clientId,
            appid: app.appid,
            secret_env: app.secretEnv,
            created_at: app.createdAt,
            updated_at: app.updatedAt,
          })
          .onConflict((oc) =>
            oc
              .column('client_id')
              .doUpdateSet({ appid: app.appid, secret_env: app.secretEnv, updated_at: app.updatedAt }),
          )
          .execute();
      }),
    async findWechatApp(clientId) {
      const row = await db
        .selectFrom('wechat_apps')
        .selectAll()
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && toWechatApp(row);
    },
    async deleteWechatApp(clientId) {
      const result = await write((trx) =>
        trx.deleteFrom('wechat_apps').where('client_id', '=', clientId).executeTakeFirst(),
      );
      return Number(result.numDeletedRows) > 0;
    },

    linkWechatUser: ({ appid, openid, unionid, newUser, now }) =>
      write(async (trx) => {
        const linked = () =>
          trx
            .selectFrom('wechat_identities')
            .select(['user_id', 'unionid'])
            .where('appid', '=', appid)
            .where('openid', '=', openid)
            .executeTakeFirst();
        const link = (userId: string) =>
          trx
            .insertInto('wechat_identities')
            .values({ appid, openid, unionid, user_id: userId, created_at: now })
            .onConflict((oc) => oc.columns(['appid', 'openid']).doNothing())
            .execute();

        const existing = await linked();
        if (existing !== undefined) {
          // A unionid appears once the mini-program is bound to an Open Platform account: keep it.
          if (unionid !== null && existing.unionid === null) {
            await trx
              .updateTable('wechat_identities')
              .set({ unionid })
              .where('appid', '=', appid)
              .where('openid', '=', openid)
              .execute();
          }
          return { userId: existing.user_id, created: false };
        }
        if (unionid !== null) {
          const sibling = await trx
            .selectFrom('wechat_identities')
            .select('user_id')
            .where('unionid', '=', unionid)
            .orderBy('created_at')
            .executeTakeFirst();
          if (sibling !== undefined) {
            await link(sibling.user_id);
            return { userId: (await linked())!.user_id, created: false };
          }
        }
        await trx
          .insertInto('users')
          .values({
            id: newUser.id,
            username: newUser.username,
            username_key: usernameKey(newUser.username),
            password_hash: newUser.passwordHash,
            scopes: JSON.stringify(newUser.scopes),
            disabled: newUser.disabled ? 1 : 0,
            profile: JSON.stringify(newUser.profile),
            created_at: newUser.createdAt,
            updated_at: newUser.updatedAt,
          })
          .execute();
        await link(newUser.id);
        const winner = (await linked())!.user_id;
        // PostgreSQL: another instance linked the identity first; the user made here is not needed.
        if (winner !== newUser.id) await trx.deleteFrom('users').where('id', '=', newUser.id).execute();
        return { userId: winner, created: winner === newUser.id };
      }),
  };
}
