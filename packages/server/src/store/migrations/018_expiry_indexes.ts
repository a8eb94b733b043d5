/**
 * 018 — indexes on the expiry of single-use markers and login-throttle counters, so that each write
 * can drop a few expired rows by index (as the DPoP proofs and pushed requests already do): without
 * them these tables grew while the server ran (a flood of failed logins under distinct names, one
 * marker per code exchanged) and were only emptied when a store was opened. Never edited once
 * released.
 */
import type { Kysely } from 'kysely';

export const expiryIndexes = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.createIndex('used_once_expiry').on('used_once').column('expires_at').execute();
    await db.schema
      .createIndex('login_throttle_window')
      .on('login_throttle')
      .column('window_ends_at')
      .execute();
  },
};
