/**
 * 005 — scope descriptions: what a scope lets a client do, in words, set with `sesame scopes set`
 * and shown on the consent page. Never edited once released.
 */
import type { Kysely } from 'kysely';

export const scopeDescriptions = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('scope_descriptions')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
