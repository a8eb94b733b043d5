/**
 * 003 — client permissions: what a client may do beyond its own tokens (`introspect` any token,
 * read the `revocations` feed), a JSON list like the other list columns. Existing clients get none:
 * a deployment whose resource servers introspect or follow the feed grants it with
 * `sesame clients permit ID introspect revocations`. Never edited once released.
 */
import type { Kysely } from 'kysely';

export const clientPermissions = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('clients')
      .addColumn('permissions', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },
};
