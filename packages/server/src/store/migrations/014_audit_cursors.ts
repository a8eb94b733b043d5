/**
 * 014 — how far each audit sink has delivered the audit trail (`audit_cursors`): the id of the last
 * event a sink (the webhook) handed over, so a restart resumes after it instead of sending the
 * trail again or losing what was written while it was down. The trail stays the source of truth;
 * this row is only a position in it. Never edited once released.
 */
import type { Kysely } from 'kysely';

export const auditCursors = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('audit_cursors')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('last_id', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
