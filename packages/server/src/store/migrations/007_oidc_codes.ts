/**
 * 007 — OpenID Connect ID tokens: an authorization code keeps the request's `nonce` and the time
 * of the password login behind it (`auth_time`), and a refresh family keeps that time too, so the
 * ID token of a refresh carries the same `auth_time` (OpenID Connect Core §12.2). Nullable: rows
 * made before have neither, and sessions not begun by the code flow's login never do. Never edited
 * once released.
 */
import type { Kysely } from 'kysely';

export const oidcCodes = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite's ALTER TABLE adds one column at a time.
    await db.schema.alterTable('authorization_codes').addColumn('nonce', 'text').execute();
    await db.schema.alterTable('authorization_codes').addColumn('auth_time', 'bigint').execute();
    await db.schema.alterTable('refresh_families').addColumn('auth_time', 'bigint').execute();
  },
};
