/**
 * 010 — sessions for OpenID Connect logout (RP-Initiated Logout 1.0, Back-Channel Logout 1.0): a
 * browser session gets a public id (`sid`, random, never the cookie or its hash) that ID tokens and
 * logout tokens name; an authorization code and a refresh family keep the `sid` of the browser
 * session they came from (`browser_sid`), so ending that session revokes the families born from
 * it; and `session_clients` records which clients got tokens through which session, so each is
 * told when it ends. Nullable: rows made before belong to no session. Never edited once released.
 */
import type { Kysely } from 'kysely';

export const logoutSessions = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('browser_sessions').addColumn('sid', 'text').execute();
    await db.schema
      .createIndex('browser_sessions_sid')
      .on('browser_sessions')
      .column('sid')
      .unique()
      .execute();
    await db.schema.alterTable('authorization_codes').addColumn('browser_sid', 'text').execute();
    await db.schema.alterTable('refresh_families').addColumn('browser_sid', 'text').execute();
    await db.schema
      .createIndex('refresh_families_browser_sid')
      .on('refresh_families')
      .column('browser_sid')
      .execute();
    await db.schema
      .createTable('session_clients')
      .addColumn('sid', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('session_clients_pk', ['sid', 'client_id'])
      .execute();
    await db.schema
      .createIndex('session_clients_expires')
      .on('session_clients')
      .column('expires_at')
      .execute();
  },
};
