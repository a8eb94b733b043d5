/** Scope descriptions: one row per scope name, replaced on every set. */
import type { Store } from '../types.js';
import type { SqlContext } from './context.js';

type ScopeMethods = Pick<Store, 'setScopeDescription' | 'listScopeDescriptions'>;

export function scopeQueries({ db, write }: SqlContext): ScopeMethods {
  return {
    async setScopeDescription(name, description, at) {
      await write((trx) =>
        trx
          .insertInto('scope_descriptions')
          .values({ name, description, updated_at: at })
          .onConflict((c) => c.column('name').doUpdateSet({ description, updated_at: at }))
          .execute(),
      );
    },
    async listScopeDescriptions() {
      const rows = await db
        .selectFrom('scope_descriptions')
        .select(['name', 'description'])
        .orderBy('name')
        .execute();
      return Object.fromEntries(rows.map((row) => [row.name, row.description]));
    },
  };
}
