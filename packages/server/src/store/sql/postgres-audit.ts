/**
 * The PostgreSQL store's audit inserts: every event of a group (group-commit.ts) in ONE statement
 * whose text never changes, prepared once per pooled connection.
 *
 * Why not the Kysely builder, as the SQLite store's other queries: an audit event is written for
 * every token issued, and a multi-row `INSERT … VALUES` built per group cost the server process
 * more than the rest of the PostgreSQL round trip. Kysely parsed every value of every row into its
 * query tree and compiled a new text per group size, and PostgreSQL parsed and planned each text
 * again. Here the group goes as seven arrays (one per column) to a named statement over `unnest`:
 * pg sends Parse once per connection and only Bind/Execute after; the arrays are plain strings.
 *
 * The guarantees are the builder's: one statement is atomic (all of the group or none) and
 * committed durably before its callers are answered.
 */
import type pg from 'pg';
import type { AuditEvent } from '../types.js';
import { groupCommit } from './group-commit.js';

/** The statement, named: pg prepares it on a connection the first time it runs there. */
const INSERT_GROUP = Object.freeze({
  name: 'sesame_audit_events_insert_group',
  text:
    'insert into audit_events (at, type, actor, subject, client_id, ip, details) ' +
    'select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])',
});

type Event = Omit<AuditEvent, 'id'>;

/** The group as one array per column, in the statement's order (rows keep the group's order). */
function columns(events: readonly Event[]): unknown[][] {
  const at: number[] = [];
  const type: string[] = [];
  const actor: (string | null)[] = [];
  const subject: (string | null)[] = [];
  const clientId: (string | null)[] = [];
  const ip: (string | null)[] = [];
  const details: string[] = [];
  for (const event of events) {
    at.push(event.at);
    type.push(event.type);
    actor.push(event.actor ?? null);
    subject.push(event.subject ?? null);
    clientId.push(event.clientId ?? null);
    ip.push(event.ip ?? null);
    details.push(JSON.stringify(event.details ?? {}));
  }
  return [at, type, actor, subject, clientId, ip, details];
}

/**
 * `addAuditEvent` for a PostgreSQL pool (the store's own, whose connections share its search_path).
 *
 * @example const addAuditEvent = postgresAuditWriter(pool); await addAuditEvent(event); // committed
 */
export function postgresAuditWriter(pool: pg.Pool): (event: Event) => Promise<void> {
  return groupCommit<Event>((events) => pool.query({ ...INSERT_GROUP, values: columns(events) }));
}
