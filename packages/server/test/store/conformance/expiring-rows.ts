/**
 * The tables whose rows expire and that the Store has no delete method for (single-use markers,
 * DPoP proofs, pushed requests, login-throttle counters) hold about one lifetime of rows while the
 * store runs: each write drops a few expired rows. Without it they grew until the store was next
 * opened — by one row per code exchanged, per DPoP proof, per pushed request, and per failed login
 * under a new name (an attacker's choice). Counted in the database itself, since the Store
 * interface cannot see expired rows.
 */
import { expect, it } from 'vitest';
import type { Store } from '../../../src/store/types.js';
import { MINUTE, T0 } from './fixtures.js';

export interface CountedStore {
  store: Store;
  /** Rows of a table, counted by another connection. */
  countRows(table: string): Promise<number>;
  close(): Promise<void>;
}

/** `write(i, now)` adds row i at `now`; rows written at T0 expire by T0 + 2 minutes. */
const TABLES: Record<string, (store: Store, i: number, now: number) => Promise<unknown>> = {
  used_once: (store, i, now) => store.markUsedOnce(`code:${i}`, now + MINUTE, now),
  dpop_proofs: (store, i, now) => store.rememberDpopProof(`proof:${i}`, now + MINUTE, now),
  pushed_requests: (store, i, now) =>
    store.savePushedRequest({ id: `r${i}`, clientId: 'app', parameters: {}, expiresAt: now + MINUTE }, now),
  login_throttle: (store, i, now) => store.recordLoginFailure(`user:${i}`, now, MINUTE),
};

export function expiringRowsConformance(open: () => Promise<CountedStore>): void {
  for (const [table, write] of Object.entries(TABLES)) {
    it(`${table}: each write drops expired rows, so a burst is gone once the next writes come`, async () => {
      const { store, countRows, close } = await open();
      try {
        for (let i = 0; i < 20; i++) await write(store, i, T0);
        expect(await countRows(table)).toBe(20);
        // Later, all twenty have expired: three writes drop them (a few each) and add three.
        for (let i = 100; i < 103; i++) await write(store, i, T0 + 2 * MINUTE);
        expect(await countRows(table)).toBe(3);
      } finally {
        await close();
      }
    });
  }
}
