/**
 * A presented refresh token with its family, in one query: the refresh grant and introspection
 * need both before anything else, and on PostgreSQL each query is a round trip of its own (the
 * token's row, then its family's, were two).
 */
import type { Expression, Kysely } from 'kysely';
import type { RefreshFamily, RefreshToken, Store } from '../types.js';
import type { SqlContext } from './context.js';
import { toFamily, toRefreshToken } from './rows.js';
import type { Database } from './schema.js';

/**
 * The query, also compiled once by the SQLite store into a prepared statement
 * (sqlite-prepared-reads.ts), and by the PostgreSQL store with `= any($1)` for a group of tokens
 * (postgres-refresh-batch.ts).
 */
export function tokenAndFamilyQuery(db: Kysely<Database>, tokenHash: string | Expression<string>) {
  return db
    .selectFrom('refresh_tokens as t')
    .innerJoin('refresh_families as f', 'f.id', 't.family_id')
    .selectAll('f')
    .select([
      't.token_hash as t_token_hash',
      't.generation as t_generation',
      't.created_at as t_created_at',
      't.expires_at as t_expires_at',
      't.rotated_at as t_rotated_at',
    ])
    .where('t.token_hash', '=', tokenHash);
}

type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof tokenAndFamilyQuery>['executeTakeFirst']>>>;

/** The query's row as the token and its family. */
export function toTokenAndFamily(row: Row): { token: RefreshToken; family: RefreshFamily } {
  const family: RefreshFamily = toFamily(row);
  const token: RefreshToken = toRefreshToken({
    token_hash: row.t_token_hash,
    family_id: row.id,
    generation: row.t_generation,
    created_at: row.t_created_at,
    expires_at: row.t_expires_at,
    rotated_at: row.t_rotated_at,
  });
  return { token, family };
}

export function refreshLookupQueries({ db }: SqlContext): Pick<Store, 'findRefreshTokenAndFamily'> {
  return {
    async findRefreshTokenAndFamily(tokenHash) {
      const row = await tokenAndFamilyQuery(db, tokenHash).executeTakeFirst();
      return row === undefined ? undefined : toTokenAndFamily(row);
    },
  };
}
