/**
 * 009 — the OpenID Connect `claims` request parameter (Core §5.5): an authorization code keeps the
 * claim names the request asked for, for the ID token and for /userinfo, and the refresh family
 * born from it keeps them too, so the ID tokens and access tokens of a refresh carry the same
 * (JSON text `{"userinfo":[…],"id_token":[…]}`). Nullable: a request without the parameter, and
 * every row made before, asked for none. Never edited once released.
 */
import type { Kysely } from 'kysely';

export const claimsRequest = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite's ALTER TABLE adds one column at a time.
    await db.schema.alterTable('authorization_codes').addColumn('claims', 'text').execute();
    await db.schema.alterTable('refresh_families').addColumn('claims', 'text').execute();
  },
};
