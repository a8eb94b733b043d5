/**
 * 016 — dynamic client registration (RFC 7591, RFC 7592): a client registered through
 * POST /oauth/register keeps the SHA-256 of its registration access token
 * (`registration_token_hash`, null for clients made by an administrator), and the initial access
 * tokens an administrator makes (`sesame registration token create`) are kept by SHA-256 too, with
 * when they expire and how many registrations they have left (null: any number). A leak of either
 * gives no usable token. Never edited once released.
 */
import type { Kysely } from 'kysely';

export const dynamicRegistration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('clients').addColumn('registration_token_hash', 'text').execute();
    await db.schema
      .createTable('initial_access_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('uses_left', 'integer')
      .execute();
  },
};
