/**
 * An audit event as it leaves the server: `sesame audit export --format jsonl` writes one per
 * line, the audit webhook (audit-sink/) POSTs them in batches. The admin API's fields, plus `time`
 * in ISO 8601 for readers that do not count milliseconds. Events never hold a secret or a token
 * (store/types.ts AuditEvent), so neither does this.
 */
import type { AuditEvent } from '../../store/types.js';

/** The exported form of an audit event. */
export type AuditRecord = AuditEvent & { time: string };

/** @example JSON.stringify(auditRecord(event)) // {"id":7,"at":…,"type":"login.ok",…,"time":"2026-…Z"} */
export function auditRecord(event: AuditEvent): AuditRecord {
  return { ...event, time: new Date(event.at).toISOString() };
}
