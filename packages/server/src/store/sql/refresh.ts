/**
 * Refresh families and their tokens. The rotation is a compare-and-set on `rotated_at IS NULL`:
 * of N concurrent presentations of one token exactly one UPDATE matches, whatever the dialect's
 * isolation level, and only that one inserts a successor.
 */
import type { Kysely } from 'kysely';
import type { RefreshFamily, RotationResult, Store } from '../types.js';
import { DURABLE, DURABLE_WHEN_ANSWERED, type SqlContext } from './context.js';
import { claimsToColumn, toFamily, toRefreshToken } from './rows.js';
import type { Database } from './schema.js';

type RefreshMethods = Pick<
  Store,
  | 'createRefreshFamily'
  | 'findRefreshFamily'
  | 'findRefreshToken'
  | 'rotateRefreshToken'
  | 'revokeRefreshFamily'
  | 'revokeUserFamilies'
  | 'revokeClientFamilies'
  | 'revokeBrowserSessionFamilies'
  | 'listUserFamilies'
>;

/** Why a family was revoked when one of its rotated tokens came back (RFC 9700 §4.14.2). */
export const REUSE_REASON = 'refresh_token_reuse';

export function refreshQueries({ db, write }: SqlContext): RefreshMethods {
  // Revocations, rotations, keys, replay markers: committed durably even under synchronous = NORMAL.
  const durableWrite = <T>(fn: (trx: Kysely<Database>) => Promise<T>) => write(fn, DURABLE);
  /** Revokes the live families of one user, client or browser session; answers their ids (for the feed). */
  const revokeLiveFamilies = async (
    column: 'user_id' | 'client_id' | 'browser_sid',
    value: string,
    reason: string,
    now: number,
  ): Promise<string[]> => {
    const rows = await durableWrite((trx) =>
      trx
        .updateTable('refresh_families')
        .set({ revoked_at: now, revoked_reason: reason })
        .where(column, '=', value)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .returning('id')
        .execute(),
    );
    return rows.map((r) => r.id);
  };
  const familyOf = async (q: Kysely<Database>, id: string): Promise<RefreshFamily | undefined> => {
    const row = await q.selectFrom('refresh_families').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toFamily(row);
  };

  return {
    async createRefreshFamily(family, first) {
      await write(async (trx) => {
        await trx
          .insertInto('refresh_families')
          .values({
            id: family.id,
            user_id: family.userId,
            client_id: family.clientId,
            scope: family.scope,
            created_at: family.createdAt,
            expires_at: family.expiresAt,
            revoked_at: family.revokedAt,
            revoked_reason: family.revokedReason,
            auth_time: family.authTime,
            browser_sid: family.browserSid,
            claims: claimsToColumn(family.claims),
            dpop_jkt: family.dpopJkt,
          })
          .execute();
        await trx
          .insertInto('refresh_tokens')
          .values({
            token_hash: first.tokenHash,
            family_id: family.id,
            generation: first.generation,
            created_at: first.createdAt,
            expires_at: Math.min(first.expiresAt, family.expiresAt),
            rotated_at: first.rotatedAt,
          })
          .execute();
      });
    },
    findRefreshFamily: (id) => familyOf(db, id),
    async findRefreshToken(tokenHash) {
      const row = await db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toRefreshToken(row);
    },

    // Durable when answered, sharing an fsync with the concurrent rotations: until then only this
    // rotation's caller could act on it, and a second presentation of the token is a rotation too.
    rotateRefreshToken: (input) =>
      write(async (trx): Promise<RotationResult> => {
        const { presentedHash, nextHash, now, graceMs } = input;
        // The compare-and-set: only a live token of a live family matches, and only once.
        const claimed = await trx
          .updateTable('refresh_tokens')
          .set({ rotated_at: now })
          .where('token_hash', '=', presentedHash)
          .where('rotated_at', 'is', null)
          .where('expires_at', '>', now)
          .where(({ exists, selectFrom }) =>
            exists(
              selectFrom('refresh_families')
                .select('id')
                .whereRef('refresh_families.id', '=', 'refresh_tokens.family_id')
                .where('revoked_at', 'is', null)
                .where('expires_at', '>', now),
            ),
          )
          .returningAll()
          .executeTakeFirst();
        if (claimed) {
          const family = (await familyOf(trx, claimed.family_id))!;
          const next = {
            token_hash: nextHash,
            family_id: claimed.family_id,
            generation: claimed.generation + 1,
            created_at: now,
            expires_at: Math.min(input.nextExpiresAt, family.expiresAt),
            rotated_at: null,
          };
          await trx.insertInto('refresh_tokens').values(next).execute();
          return { kind: 'rotated', family, previous: toRefreshToken(claimed), next: toRefreshToken(next) };
        }

        // Not claimable: find out why, without changing anything unless it is reuse.
        const row = await trx
          .selectFrom('refresh_tokens')
          .selectAll()
          .where('token_hash', '=', presentedHash)
          .executeTakeFirst();
        if (!row || row.rotated_at === null) return { kind: 'invalid' }; // unknown, or expired
        const previous = toRefreshToken(row);
        const family = await familyOf(trx, previous.familyId);
        if (!family || family.revokedAt !== null || family.expiresAt <= now || previous.expiresAt <= now) {
          return { kind: 'invalid' };
        }
        const successor = await trx
          .selectFrom('refresh_tokens')
          .selectAll()
          .where('family_id', '=', family.id)
          .where('generation', '=', previous.generation + 1)
          .executeTakeFirst();
        const inGrace =
          now - (previous.rotatedAt ?? 0) < graceMs &&
          successor !== undefined &&
          successor.rotated_at === null &&
          successor.token_hash === nextHash;
        if (inGrace) return { kind: 'grace', family, previous, next: toRefreshToken(successor) };

        // A rotated token came back: whoever holds it may be a thief, so the session ends.
        const revoked = await trx
          .updateTable('refresh_families')
          .set({ revoked_at: now, revoked_reason: REUSE_REASON })
          .where('id', '=', family.id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        // Under READ COMMITTED (PostgreSQL) several reuses may pass the check above at once; only
        // the one whose UPDATE matched reports the reuse, the others find a revoked family.
        if (revoked.numUpdatedRows === 0n) return { kind: 'invalid' };
        return { kind: 'reused', family: { ...family, revokedAt: now, revokedReason: REUSE_REASON } };
      }, DURABLE_WHEN_ANSWERED),

    async revokeRefreshFamily(id, reason, now) {
      const result = await durableWrite((trx) =>
        trx
          .updateTable('refresh_families')
          .set({ revoked_at: now, revoked_reason: reason })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst(),
      );
      return result.numUpdatedRows > 0n;
    },
    revokeUserFamilies: (userId, reason, now) => revokeLiveFamilies('user_id', userId, reason, now),
    revokeClientFamilies: (clientId, reason, now) => revokeLiveFamilies('client_id', clientId, reason, now),
    revokeBrowserSessionFamilies: (sid, reason, now) => revokeLiveFamilies('browser_sid', sid, reason, now),
    async listUserFamilies(userId, now) {
      const rows = await db
        .selectFrom('refresh_families')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at')
        .execute();
      return rows.map(toFamily);
    },
  };
}
