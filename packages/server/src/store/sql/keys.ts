/** Signing keys: insert, list, delete expired, and the one-step rotation as a compare-and-set. */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../errors.js';
import type { SigningKey, SigningKeyState, Store } from '../types.js';
import { DURABLE, insertUnique, type SqlContext } from './context.js';
import { fromSigningKey, toSigningKey } from './rows.js';
import type { Database } from './schema.js';

type KeyMethods = Pick<
  Store,
  | 'insertSigningKey'
  | 'listSigningKeys'
  | 'rotateSigningKeys'
  | 'deleteExpiredSigningKeys'
  | 'revokeSigningKey'
>;

/** Thrown inside the rotation transaction to roll it back when another instance rotated first. */
class LostRace extends Error {}

export function keyQueries({ db, write }: SqlContext): KeyMethods {
  // Revocations, rotations, keys, replay markers: committed durably even under synchronous = NORMAL.
  const durableWrite = <T>(fn: (trx: Kysely<Database>) => Promise<T>) => write(fn, DURABLE);
  return {
    async insertSigningKey(key: SigningKey) {
      // The partial unique index also refuses a second `current` or `next` key.
      await insertUnique('a signing key with this kid or state', () =>
        durableWrite((trx) => trx.insertInto('signing_keys').values(fromSigningKey(key)).execute()),
      );
    },
    async listSigningKeys() {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .orderBy('created_at')
        .orderBy('kid')
        .execute();
      return rows.map(toSigningKey);
    },
    async rotateSigningKeys({ alg, expectCurrent, expectNext, newNext, now, retiredExpiresAt }) {
      try {
        await durableWrite(async (trx) => {
          const live = await trx
            .selectFrom('signing_keys')
            .select(['kid', 'state'])
            .where('alg', '=', alg)
            .where('state', 'in', ['current', 'next'])
            .execute();
          const current = live.find((k) => k.state === 'current')?.kid ?? null;
          const next = live.find((k) => k.state === 'next')?.kid ?? null;
          if (current !== expectCurrent || next !== expectNext) throw new LostRace();
          // Each step is conditional on the state it expects, so on a database that does not
          // serialise the whole transaction (PostgreSQL, read committed) a racing rotation still
          // changes no row twice; the unique index on (alg, live state) catches the rest.
          const retire = async (kid: string, from: 'current' | 'next') => {
            const retired = await trx
              .updateTable('signing_keys')
              .set({ state: 'retired', retired_at: now, expires_at: retiredExpiresAt })
              .where('kid', '=', kid)
              .where('state', '=', from)
              .executeTakeFirst();
            if (retired.numUpdatedRows !== 1n) throw new LostRace();
          };
          if (current !== null) await retire(current, 'current');
          if (newNext === null) {
            // The algorithm is given up: its next key never signed, and retires with the current one.
            if (next !== null) await retire(next, 'next');
            return;
          }
          if (next !== null) {
            const promoted = await trx
              .updateTable('signing_keys')
              .set({ state: 'current', activated_at: now })
              .where('kid', '=', next)
              .where('state', '=', 'next')
              .executeTakeFirst();
            if (promoted.numUpdatedRows !== 1n) throw new LostRace();
          }
          await trx
            .insertInto('signing_keys')
            .values(fromSigningKey({ ...newNext, state: 'next' }))
            .execute();
        });
        return true;
      } catch (error) {
        if (error instanceof LostRace || isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async deleteExpiredSigningKeys(now) {
      const result = await write((trx) =>
        trx
          .deleteFrom('signing_keys')
          .where('state', 'in', ['retired', 'revoked'])
          .where('expires_at', 'is not', null)
          .where('expires_at', '<=', now)
          .executeTakeFirst(),
      );
      return Number(result.numDeletedRows);
    },
    async revokeSigningKey(kid, now, expiresAt) {
      return durableWrite(async (trx) => {
        const row = await trx
          .selectFrom('signing_keys')
          .select(['state', 'retired_at'])
          .where('kid', '=', kid)
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const before = row.state as SigningKeyState;
        if (before !== 'revoked') {
          await trx
            .updateTable('signing_keys')
            .set({ state: 'revoked', retired_at: row.retired_at ?? now, expires_at: expiresAt })
            .where('kid', '=', kid)
            .where('state', '=', before)
            .execute();
        }
        return before;
      });
    },
  };
}
