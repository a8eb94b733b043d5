/**
 * The SQLite store's audit inserts, written on the connection directly instead of through Kysely.
 * Every token issued adds an audit event, so this insert is on the hot path of issuance; through
 * Kysely each group paid for a query built and compiled anew (its SQL text changing with the
 * group's size), and a transaction begun and committed through several layers of promises: about
 * a sixth of the CPU of a client_credentials request, more than the rest of the store's work. Here
 * one prepared statement is run per event inside one native BEGIN IMMEDIATE … COMMIT.
 *
 * The guarantee is unchanged (store/sql/group-commit.ts): events arriving together share one
 * transaction, each caller's promise settles when the transaction holding its event has committed,
 * the same writer queue (the file mutex) keeps it apart from every other write of the process, and
 * the connection's `synchronous` setting decides when it reaches the disk, as for Kysely's commits.
 */
import type Database from 'better-sqlite3';
import { groupCommit } from './sql/group-commit.js';
import type { AuditEvent } from './types.js';

type NewEvent = Omit<AuditEvent, 'id'>;

/**
 * `addAuditEvent` for a SQLite connection; `queue` is the file's writer queue.
 *
 * @example const addAuditEvent = sqliteAuditWriter(raw, (fn) => lock.run(fn));
 */
export function sqliteAuditWriter(
  raw: Database.Database,
  queue: (fn: () => Promise<void>) => Promise<void>,
): (event: NewEvent) => Promise<void> {
  // Prepared on first use: the table exists only once the store is migrated.
  let insertAll: Database.Transaction<(events: NewEvent[]) => void> | undefined;
  const prepare = () => {
    const insert = raw.prepare(
      'insert into audit_events (at, type, actor, subject, client_id, ip, details) values (?, ?, ?, ?, ?, ?, ?)',
    );
    return raw.transaction((events: NewEvent[]) => {
      for (const event of events) {
        insert.run(
          event.at,
          event.type,
          event.actor ?? null,
          event.subject ?? null,
          event.clientId ?? null,
          event.ip ?? null,
          JSON.stringify(event.details ?? {}),
        );
      }
    });
  };
  return groupCommit<NewEvent>((events) =>
    queue(async () => {
      insertAll ??= prepare();
      // IMMEDIATE, like every write transaction of the store (sqlite.ts): the write lock first.
      insertAll.immediate(events);
    }),
  );
}
