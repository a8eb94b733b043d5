/**
 * 015 — pushed authorization requests (RFC 9126): `pushed_requests` keeps each checked request a
 * client pushed, under the SHA-256 of its request_uri's random part (a leak of the table gives no
 * usable request_uri), until it is used once or expires; and a client may be registered to require
 * them (`require_pushed_authorization_requests`, §6; every existing client does not).
 * Never edited once released.
 */
import type { Kysely } from 'kysely';

export const pushedRequests = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('clients')
      .addColumn('require_pushed_authorization_requests', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('pushed_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull())
      /** The checked authorization request's parameters, a JSON object of strings. */
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('pushed_requests_expires')
      .on('pushed_requests')
      .column('expires_at')
      .execute();
  },
};
