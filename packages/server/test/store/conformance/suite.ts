/**
 * The store conformance suite: ONE set of tests that every Store implementation runs (SQLite now,
 * PostgreSQL with issue 5). A behaviour is part of the Store contract when it is tested here.
 *
 * @example
 * describeStoreConformance('sqlite', async () => {
 *   const file = tempFile();
 *   return { store: await openSqliteStore({ file }), openSecond: () => openSqliteStore({ file }) };
 * });
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../../src/store/types.js';
import { accountsConformance } from './accounts.js';
import { authorizationConformance } from './authorization.js';
import { browserSessionConformance } from './browser-sessions.js';
import type { ConformanceContext, OpenStore } from './fixtures.js';
import { keysConformance } from './keys.js';
import { miscConformance } from './misc.js';
import { pushedRequestConformance } from './pushed-requests.js';
import { refreshConformance } from './refresh.js';
import { refreshRaceConformance } from './refresh-race.js';
import { registrationConformance } from './registration.js';

export type { OpenStore } from './fixtures.js';

export function describeStoreConformance(name: string, openStore: OpenStore): void {
  describe(`Store conformance: ${name}`, () => {
    const opened: Store[] = [];
    let current: Awaited<ReturnType<OpenStore>>;
    const ctx: ConformanceContext = {
      get store() {
        return current.store;
      },
      async second() {
        const store = await current.openSecond();
        opened.push(store);
        return store;
      },
    };
    beforeEach(async () => {
      current = await openStore();
      opened.push(current.store);
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    accountsConformance(ctx);
    keysConformance(ctx);
    refreshConformance(ctx);
    refreshRaceConformance(ctx);
    miscConformance(ctx);
    pushedRequestConformance(ctx);
    registrationConformance(ctx);
    authorizationConformance(ctx);
    browserSessionConformance(ctx);
  });
}
