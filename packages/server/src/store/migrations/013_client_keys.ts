/**
 * 013 — the public keys of a client that authenticates with a signed assertion (private_key_jwt,
 * RFC 7523 §2.2, OpenID Connect Core §9): its JWK Set inline (`jwks`, JSON text) or the URL it is
 * published at (`jwks_uri`). Both null for every existing client: they keep their methods.
 * Never edited once released.
 */
import type { Kysely } from 'kysely';

export const clientKeys = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('clients').addColumn('jwks', 'text').execute();
    await db.schema.alterTable('clients').addColumn('jwks_uri', 'text').execute();
  },
};
