/**
 * Revocations (the denylist and the guards' feed), single-use markers, login-throttle counters,
 * audit events and settings: each atomic operation is one conditional statement.
 */
import { type Kysely, sql } from 'kysely';
import type { AuditEvent, Store } from '../types.js';
import { DURABLE, dropExpired, type SqlContext } from './context.js';
import { groupCommit } from './group-commit.js';
import { num, toAuditEvent, toRevocation } from './rows.js';
import type { Database } from './schema.js';

type MiscMethods = Pick<
  Store,
  | 'addRevocation'
  | 'listRevocations'
  | 'isJtiRevoked'
  | 'deleteExpiredRevocations'
  | 'markUsedOnce'
  | 'rememberDpopProof'
  | 'recordLoginFailure'
  | 'getThrottle'
  | 'clearThrottle'
  | 'addAuditEvent'
  | 'listAuditEvents'
  | 'getSetting'
  | 'initSetting'
  | 'getAuditCursor'
  | 'advanceAuditCursor'
>;

/** An audit event as its row (the PostgreSQL store writes the same columns: postgres-audit.ts). */
function auditRow(event: Omit<AuditEvent, 'id'>) {
  return {
    at: event.at,
    type: event.type,
    actor: event.actor,
    subject: event.subject,
    client_id: event.clientId,
    ip: event.ip,
    details: JSON.stringify(event.details ?? {}),
  };
}

export function miscQueries({ db, write, serialize }: SqlContext): MiscMethods {
  // Revocations, rotations, keys, replay markers: committed durably even under synchronous = NORMAL.
  const durableWrite = <T>(fn: (trx: Kysely<Database>) => Promise<T>) => write(fn, DURABLE);
  return {
    async addRevocation(entry) {
      const row = await durableWrite(async (trx) => {
        await serialize?.(trx, 'revocations');
        return trx
          .insertInto('revocations')
          .values({
            kind: entry.kind,
            value: entry.value,
            issued_before: entry.issuedBefore,
            expires_at: entry.expiresAt,
            created_at: entry.createdAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return toRevocation(row);
    },
    async listRevocations(since, now, limit) {
      const rows = await db
        .selectFrom('revocations')
        .selectAll()
        .where('seq', '>', since)
        .where('expires_at', '>', now)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toRevocation);
    },
    async isJtiRevoked(jti, now) {
      const row = await db
        .selectFrom('revocations')
        .select('seq')
        .where('kind', '=', 'jti')
        .where('value', '=', jti)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row !== undefined;
    },
    async deleteExpiredRevocations(now, limit) {
      // At most `limit` rows per transaction: a backlog never holds SQLite's write lock (and with it
      // the event loop) or a PostgreSQL transaction for long. The batch is the first `limit` expired
      // rows in seq order, named by a seq range, `seq <= (the limit-th of them)`, so each statement
      // walks about `limit` rows of the primary key: `seq in (subquery)` made PostgreSQL scan the
      // whole table per batch, and the unary plus keeps SQLite off revocations_expiry for the outer
      // filter (by that index it walked every expired row per batch).
      // No feed lock (serialize): a deletion draws no seq, and expired rows are never listed, so no
      // cursor can tell. AUTOINCREMENT / bigserial never hand a deleted seq out again. Two instances
      // deleting at once is harmless: a row goes once.
      const result = await write((trx) =>
        trx
          .deleteFrom('revocations')
          .where(sql<number>`+${sql.ref('expires_at')}`, '<=', now)
          .where('seq', '<=', (eb) =>
            eb
              .selectFrom((inner) =>
                inner
                  .selectFrom('revocations')
                  .select('seq')
                  .where('expires_at', '<=', now)
                  .orderBy('seq')
                  .limit(limit)
                  .as('batch'),
              )
              .select((m) => m.fn.max('batch.seq').as('last')),
          )
          .executeTakeFirst(),
      );
      return Number(result.numDeletedRows);
    },

    markUsedOnce: (key, expiresAt, now) =>
      durableWrite(async (trx) => {
        // A marker only has to outlive what it guards (a code expires before its marker does), so an
        // expired marker is dropped here rather than by a sweeper the interface does not have: this
        // key's own, and a few others, so the table holds about one code lifetime of markers.
        await trx.deleteFrom('used_once').where('key', '=', key).where('expires_at', '<=', now).execute();
        await dropExpired(trx, 'used_once', now);
        const result = await trx
          .insertInto('used_once')
          .values({ key, expires_at: expiresAt })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
      }),

    rememberDpopProof: (key, expiresAt, now) =>
      write(async (trx) => {
        // Not durableWrite: a proof remembered is worth a few minutes; losing the last ones in a
        // crash lets at most those proofs be replayed until they age out, and the hot path stays fast.
        // Each write also drops a few expired rows (by the expires_at index), so the table holds about
        // the proofs of one window whatever the uptime, without a sweeper.
        await dropExpired(trx, 'dpop_proofs', now);
        const result = await trx
          .insertInto('dpop_proofs')
          .values({ key, expires_at: expiresAt })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
      }),

    async recordLoginFailure(key, now, windowMs) {
      // One upsert: the count restarts at 1 when the window (a quiet period since the last failure)
      // is over, and grows by one otherwise. Never read-modify-write in JavaScript. A few counters
      // whose window is over go with it: failures under ever new names must not grow the table.
      const row = await write(async (trx) => {
        await dropExpired(trx, 'login_throttle', now);
        return trx
          .insertInto('login_throttle')
          .values({ key, failures: 1, last_failure_at: now, window_ends_at: now + windowMs })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              failures: sql<number>`case when ${sql.ref('login_throttle.window_ends_at')} <= ${now} then 1 else ${sql.ref('login_throttle.failures')} + 1 end`,
              last_failure_at: now,
              window_ends_at: now + windowMs,
            }),
          )
          .returning(['failures', 'last_failure_at'])
          .executeTakeFirstOrThrow();
      });
      return { failures: num(row.failures), lastFailureAt: num(row.last_failure_at) };
    },
    async getThrottle(key, now) {
      const row = await db
        .selectFrom('login_throttle')
        .selectAll()
        .where('key', '=', key)
        .where('window_ends_at', '>', now)
        .executeTakeFirst();
      return row
        ? { failures: num(row.failures), lastFailureAt: num(row.last_failure_at) }
        : { failures: 0, lastFailureAt: 0 };
    },
    async clearThrottle(key) {
      await write((trx) => trx.deleteFrom('login_throttle').where('key', '=', key).execute());
    },

    // Every token issued adds an event: they are committed in groups (group-commit.ts), each
    // caller still waiting for the commit that holds its own.
    addAuditEvent: groupCommit<Omit<AuditEvent, 'id'>>((events) =>
      write((trx) => trx.insertInto('audit_events').values(events.map(auditRow)).execute()),
    ),
    async listAuditEvents({ since, type, subject, afterId, limit }) {
      let query = db.selectFrom('audit_events').selectAll();
      if (since !== undefined) query = query.where('at', '>=', since);
      if (type !== undefined) query = query.where('type', '=', type);
      if (subject !== undefined) query = query.where('subject', '=', subject);
      if (afterId !== undefined) query = query.where('id', '>', afterId);
      // Newest first: an admin looks at what just happened; `since` bounds how far back. An export
      // (afterId) reads forwards, in the order the events were written.
      const rows = await query
        .orderBy('id', afterId === undefined ? 'desc' : 'asc')
        .limit(limit)
        .execute();
      return rows.map(toAuditEvent);
    },

    async getSetting(name) {
      const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
      return row?.value;
    },
    initSetting: (name, value) =>
      write(async (trx) => {
        await trx
          .insertInto('settings')
          .values({ name, value })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        const row = await trx
          .selectFrom('settings')
          .select('value')
          .where('name', '=', name)
          .executeTakeFirstOrThrow();
        return row.value;
      }),

    async getAuditCursor(name) {
      const row = await db
        .selectFrom('audit_cursors')
        .select('last_id')
        .where('name', '=', name)
        .executeTakeFirst();
      return row === undefined ? 0 : num(row.last_id);
    },
    // Forwards only, in one statement: of two writers (an old process still stopping, a new one),
    // the cursor keeps the larger id, so it never moves back over delivered events.
    advanceAuditCursor: (name, lastId, at) =>
      write(async (trx) => {
        await trx
          .insertInto('audit_cursors')
          .values({ name, last_id: lastId, updated_at: at })
          .onConflict((oc) =>
            oc
              .column('name')
              .doUpdateSet({ last_id: lastId, updated_at: at })
              .where('audit_cursors.last_id', '<', lastId),
          )
          .execute();
      }),
  };
}
