/**
 * A presented refresh token with its family and the family's user, in one query: the refresh grant
 * needs all three before anything else (introspection the first two), and on PostgreSQL each query
 * is a round trip of its own (the token's row, its family's, then the user's, were three).
 */
import type { Expression, Kysely } from 'kysely';
import type { RefreshFamily, RefreshToken, Store, User } from '../types.js';
import type { SqlContext } from './context.js';
import { toFamily, toRefreshToken, toUser } from './rows.js';
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
    .leftJoin('users as u', 'u.id', 'f.user_id')
    .selectAll('f')
    .select([
      't.token_hash as t_token_hash',
      't.generation as t_generation',
      't.created_at as t_created_at',
      't.expires_at as t_expires_at',
      't.rotated_at as t_rotated_at',
      'u.id as u_id',
      'u.username as u_username',
      'u.username_key as u_username_key',
      'u.password_hash as u_password_hash',
      'u.scopes as u_scopes',
      'u.disabled as u_disabled',
      'u.profile as u_profile',
      'u.created_at as u_created_at',
      'u.updated_at as u_updated_at',
    ])
    .where('t.token_hash', '=', tokenHash);
}

type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof tokenAndFamilyQuery>['executeTakeFirst']>>>;

/** The query's row as the token, its family and (when it has one) the family's user. */
export function toTokenAndFamily(row: Row): { token: RefreshToken; family: RefreshFamily; user?: User } {
  const family: RefreshFamily = toFamily(row);
  const token: RefreshToken = toRefreshToken({
    token_hash: row.t_token_hash,
    family_id: row.id,
    generation: row.t_generation,
    created_at: row.t_created_at,
    expires_at: row.t_expires_at,
    rotated_at: row.t_rotated_at,
  });
  if (row.u_id === null) return { token, family };
  const user = toUser({
    id: row.u_id,
    username: row.u_username!,
    username_key: row.u_username_key!,
    password_hash: row.u_password_hash!,
    scopes: row.u_scopes!,
    disabled: row.u_disabled!,
    profile: row.u_profile!,
    created_at: row.u_created_at!,
    updated_at: row.u_updated_at!,
  });
  return { token, family, user };
}

export function refreshLookupQueries({ db }: SqlContext): Pick<Store, 'findRefreshTokenAndFamily'> {
  return {
    async findRefreshTokenAndFamily(tokenHash) {
      const row = await tokenAndFamilyQuery(db, tokenHash).executeTakeFirst();
      return row === undefined ? undefined : toTokenAndFamily(row);
    },
  };
}
