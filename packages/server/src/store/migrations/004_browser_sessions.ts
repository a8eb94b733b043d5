/**
 * 004 — browser sessions of the login pages as records: the session cookie holds a random token,
 * the table its SHA-256 (`id`), so logout, a password change or disabling the user end a session
 * at once, and a copied cookie stops working with it. Never edited once released.
 */
import type { Kysely } from 'kysely';

export const browserSessions = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('browser_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('browser_sessions_user').on('browser_sessions').column('user_id').execute();
  },
};
