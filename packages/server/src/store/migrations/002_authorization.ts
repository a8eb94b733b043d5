/**
 * 002 — the authorization code flow and WeChat mini-program login: authorization codes (stored by
 * hash), remembered consents, the WeChat app of a client, and the WeChat identities linked to users.
 * Same portable types as 001 (text, integer, bigint). Never edited once released.
 */
import type { Kysely } from 'kysely';

export const authorization = {
  async up(db: Kysely<unknown>): Promise<void> {
    // RFC 6749 §4.1.2: single use, short-lived, bound to client, redirect URI and (RFC 7636) the
    // PKCE challenge. The minted tokens are recorded so a second use can revoke them (§4.1.2).
    await db.schema
      .createTable('authorization_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('redirect_uri', 'text', (c) => c.notNull())
      .addColumn('redirect_uri_given', 'integer', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('code_challenge', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addColumn('reused_at', 'bigint')
      .addColumn('family_id', 'text')
      .addColumn('access_jti', 'text')
      .addColumn('access_expires_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('authorization_codes_expiry')
      .on('authorization_codes')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('consents')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
      .execute();

    // The secret itself is never stored: only the name of the server's environment variable holding it.
    await db.schema
      .createTable('wechat_apps')
      .addColumn('client_id', 'text', (c) =>
        c.primaryKey().references('clients.client_id').onDelete('cascade'),
      )
      .addColumn('appid', 'text', (c) => c.notNull())
      .addColumn('secret_env', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('wechat_identities')
      .addColumn('appid', 'text', (c) => c.notNull())
      .addColumn('openid', 'text', (c) => c.notNull())
      .addColumn('unionid', 'text')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('wechat_identities_pk', ['appid', 'openid'])
      .execute();
    await db.schema
      .createIndex('wechat_identities_unionid')
      .on('wechat_identities')
      .column('unionid')
      .execute();
  },
};
