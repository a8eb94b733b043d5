/**
 * The Store over any Kysely dialect: the queries live in sql/*.ts, written once for SQLite and
 * PostgreSQL; a dialect module (sqlite.ts, later postgres.ts) opens the connection, decides how a
 * write transaction locks, and hands both here.
 */
import { sql } from 'kysely';
import type { Store } from '../types.js';
import { accountQueries } from './accounts.js';
import { authorizationQueries } from './authorization.js';
import { browserSessionQueries } from './browser-sessions.js';
import type { SqlContext } from './context.js';
import { keyQueries } from './keys.js';
import { miscQueries } from './misc.js';
import { pushedRequestQueries } from './pushed-requests.js';
import { refreshQueries } from './refresh.js';
import { refreshLookupQueries } from './refresh-lookup.js';
import { registrationQueries } from './registration.js';
import { scopeQueries } from './scopes.js';

export interface KyselyStoreOptions extends SqlContext {
  kind: Store['kind'];
  /** Closes the connection (pool); called once by `close()`. */
  close(): Promise<void>;
}

/**
 * Builds a Store from a Kysely context.
 *
 * @example
 * const store = createKyselyStore({ kind: 'sqlite', db, write: (fn) => db.transaction().execute(fn), close: () => db.destroy() });
 */
export function createKyselyStore(options: KyselyStoreOptions): Store {
  const { db, kind } = options;
  let closing: Promise<void> | undefined;
  return Object.freeze({
    kind,
    ...accountQueries(options),
    ...keyQueries(options),
    ...refreshQueries(options),
    ...refreshLookupQueries(options),
    ...miscQueries(options),
    ...scopeQueries(options),
    ...authorizationQueries(options),
    ...browserSessionQueries(options),
    ...pushedRequestQueries(options),
    ...registrationQueries(options),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      closing ??= options.close();
      return closing;
    },
  });
}
