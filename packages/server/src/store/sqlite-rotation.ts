/**
 * The SQLite store's refresh rotation, on the connection directly and in groups. Through Kysely a
 * rotation was a transaction of its own: BEGIN IMMEDIATE, three statements built and compiled
 * anew, COMMIT — and the COMMIT, which writes the transaction's pages to the WAL, cost more than
 * the statements. Under load many rotations wait for the writer at once; here the rotations
 * arriving together run in one transaction, each in a savepoint of its own, with prepared
 * statements: one BEGIN, one COMMIT and one write of the pages they share, per group.
 *
 * The guarantees are those of the shared rotation (sql/refresh.ts), which this one defers to for
 * every token it cannot claim (unknown, expired, revoked, a replay: the rare paths):
 *  - the claim is the same compare-and-set on `rotated_at IS NULL`: of N presentations of one
 *    token, in one group or in several, exactly one matches, and only it inserts a successor;
 *  - a rotation is answered only once its group has committed and, unless the connection syncs
 *    every commit (`synchronous = FULL`), once an fsync of the WAL begun after that commit is done
 *    (store/sqlite-wal-sync.ts): durable when answered;
 *  - one rotation failing rolls back its own savepoint and fails alone; a failure of the group
 *    (BEGIN, COMMIT, the disk) fails every rotation of it, and none is answered as done.
 */
import type Database from 'better-sqlite3';
import { groupBatch } from './sql/group-commit.js';
import { rotatedResult, toFamily } from './sql/rows.js';
import type { RefreshFamiliesTable } from './sql/schema.js';
import type { RotateRefreshTokenInput, RotationResult, Store } from './types.js';

type Rotate = Store['rotateRefreshToken'];
type Rotated = Extract<RotationResult, { kind: 'rotated' }>;

interface ClaimedRow {
  family_id: string;
  generation: number;
  created_at: number;
  expires_at: number;
}

export interface SqliteRotationOptions {
  /** The file's writer queue (the same one every write of the store goes through). */
  queue: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Waits for an fsync of the WAL begun after the call; absent when every commit is synced. */
  synced?: () => Promise<void>;
  /** The shared rotation, for the tokens this one cannot claim: it tells why, and acts on reuse. */
  diagnose: Rotate;
}

/**
 * `rotateRefreshToken` for a SQLite connection.
 *
 * @example const rotateRefreshToken = sqliteRotation(raw, { queue: lock.run, synced, diagnose: shared.rotateRefreshToken });
 */
export function sqliteRotation(raw: Database.Database, options: SqliteRotationOptions): Rotate {
  // Prepared on first use: the tables exist only once the store is migrated.
  let rotateAll: ((inputs: RotateRefreshTokenInput[]) => (Rotated | undefined | Error)[]) | undefined;
  const prepare = () => {
    const claim = raw.prepare<[number, string, number, number], ClaimedRow>(
      `update refresh_tokens set rotated_at = ?
       where token_hash = ? and rotated_at is null and expires_at > ?
         and exists (select 1 from refresh_families f
                     where f.id = refresh_tokens.family_id and f.revoked_at is null and f.expires_at > ?)
       returning family_id, generation, created_at, expires_at`,
    );
    const familyById = raw.prepare<[string], RefreshFamiliesTable>(
      'select * from refresh_families where id = ?',
    );
    const insert = raw.prepare(
      'insert into refresh_tokens (token_hash, family_id, generation, created_at, expires_at, rotated_at) values (?, ?, ?, ?, ?, null)',
    );
    // Called inside the group's transaction, better-sqlite3 runs it as a savepoint.
    const rotateOne = raw.transaction((input: RotateRefreshTokenInput): Rotated | undefined => {
      const { presentedHash, nextHash, now, nextExpiresAt } = input;
      const claimed = claim.get(now, presentedHash, now, now);
      if (claimed === undefined) return undefined;
      const family = toFamily(familyById.get(claimed.family_id)!);
      const expiresAt = Math.min(nextExpiresAt, family.expiresAt);
      insert.run(nextHash, family.id, claimed.generation + 1, now, expiresAt);
      const previous = {
        generation: claimed.generation,
        createdAt: claimed.created_at,
        expiresAt: claimed.expires_at,
      };
      return rotatedResult(family, input, previous, expiresAt);
    });
    const group = raw.transaction((inputs: RotateRefreshTokenInput[]) =>
      inputs.map((input) => {
        try {
          return rotateOne(input);
        } catch (error) {
          // Some errors (a full disk, I/O) make SQLite roll the whole transaction back: the
          // rotations after this one would then commit on their own. Fail the group instead.
          if (!raw.inTransaction) throw error;
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    );
    // IMMEDIATE, like every write transaction of the store (sqlite.ts): the write lock first.
    return (inputs: RotateRefreshTokenInput[]) => group.immediate(inputs);
  };

  const rotateInGroup = groupBatch<RotateRefreshTokenInput, Rotated | undefined>(async (inputs) => {
    const results = await options.queue(async () => {
      rotateAll ??= prepare();
      return rotateAll(inputs);
    });
    if (options.synced !== undefined && results.some((result) => result !== undefined))
      await options.synced();
    return results;
  });

  return async (input) => (await rotateInGroup(input)) ?? options.diagnose(input);
}
