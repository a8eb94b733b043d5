/**
 * The refresh rotation of the PostgreSQL store in one round trip. The shared rotation
 * (refresh.ts) is a transaction of four statements (BEGIN, the compare-and-set UPDATE, the
 * family read, the successor INSERT, COMMIT: five round trips), which on PostgreSQL cost more
 * than the rotation itself. Here the same compare-and-set, the successor's insert and the family
 * read are one statement with data-modifying CTEs: PostgreSQL runs a statement atomically and
 * commits it durably on its own, so the guarantees are those of the transaction — only one of N
 * concurrent presentations matches the UPDATE (its row lock makes the others wait and re-check
 * `rotated_at IS NULL`), and the successor exists if and only if the claim committed.
 * When nothing was claimed (unknown, expired, revoked, a replay: the rare paths) the shared
 * rotation runs and tells which — its UPDATE matches nothing, since a token once rotated, and a
 * family once revoked, never come back.
 */
import { type Kysely, sql } from 'kysely';
import type { RotationResult, Store } from '../types.js';
import { rotatedResult, toFamily } from './rows.js';
import type { Database, RefreshFamiliesTable } from './schema.js';

type Rotate = Store['rotateRefreshToken'];

interface RotatedRow extends RefreshFamiliesTable {
  claimed_generation: number;
  claimed_created_at: number;
  claimed_expires_at: number;
  next_expires_at: number;
}

/**
 * @example const rotateRefreshToken = postgresRotation(db, store.rotateRefreshToken);
 */
export function postgresRotation(db: Kysely<Database>, diagnose: Rotate): Rotate {
  return async (input): Promise<RotationResult> => {
    const { presentedHash, nextHash, now, nextExpiresAt } = input;
    const { rows } = await sql<RotatedRow>`
      with claimed as (
        update refresh_tokens t set rotated_at = ${now}
        where t.token_hash = ${presentedHash} and t.rotated_at is null and t.expires_at > ${now}
          and exists (
            select 1 from refresh_families f
            where f.id = t.family_id and f.revoked_at is null and f.expires_at > ${now})
        returning t.family_id, t.generation, t.created_at, t.expires_at
      ), inserted as (
        insert into refresh_tokens (token_hash, family_id, generation, created_at, expires_at, rotated_at)
        select ${nextHash}::text, c.family_id, c.generation + 1, ${now}::bigint,
          least(${nextExpiresAt}::bigint, f.expires_at), null::bigint
        from claimed c join refresh_families f on f.id = c.family_id
        returning expires_at
      )
      select f.*, c.generation as claimed_generation, c.created_at as claimed_created_at,
        c.expires_at as claimed_expires_at, i.expires_at as next_expires_at
      from claimed c join refresh_families f on f.id = c.family_id cross join inserted i`.execute(db);
    const row = rows[0];
    if (row === undefined) return diagnose(input);
    const claimed = {
      generation: Number(row.claimed_generation),
      createdAt: Number(row.claimed_created_at),
      expiresAt: Number(row.claimed_expires_at),
    };
    return rotatedResult(toFamily(row), input, claimed, Number(row.next_expires_at));
  };
}
