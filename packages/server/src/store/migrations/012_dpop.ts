/**
 * 012 — DPoP (RFC 9449): a client may be registered to require it (`dpop_bound_access_tokens`,
 * §5.2; every existing client does not); a refresh family and an authorization code keep the key
 * thumbprint they are bound to (`dpop_jkt`, §5 and §10; null: unbound, as every existing one); and
 * `dpop_proofs` remembers the proofs accepted (a hash of key thumbprint and jti) until they would be
 * refused as too old, so a proof is used once (§11.1). Never edited once released.
 */
import type { Kysely } from 'kysely';

export const dpop = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema
      .alterTable('clients')
      .addColumn('dpop_bound_access_tokens', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('refresh_families').addColumn('dpop_jkt', 'text').execute();
    await db.schema.alterTable('authorization_codes').addColumn('dpop_jkt', 'text').execute();
    await db.schema
      .createTable('dpop_proofs')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('dpop_proofs_expires').on('dpop_proofs').column('expires_at').execute();
  },
};
