/**
 * The machine's PostgreSQL and Redis, for the suites that need them. A suite whose service is not
 * reachable is skipped with a plain line saying so, unless SESAME_TEST_REQUIRE_SERVICES=1 (CI),
 * where the same suite fails instead: a CI run can never go green by skipping them.
 * Every test file works in its own schema (PostgreSQL) or key prefix (Redis), so files running in
 * parallel never see each other's rows. Where the services are (PG_URL, REDIS_URL) and the test
 * master key are @sesame/testkit's, shared with bench/ and attacks/.
 */
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { hostPort, PG_URL, REDIS_URL, REQUIRE_SERVICES } from '@sesame/testkit';
import pg from 'pg';
import { describe, it } from 'vitest';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres.js';
import { skippedSuiteName } from './skip-summary.js';

export type Service = 'PostgreSQL' | 'Redis';

/** True when a TCP connection to the service opens within `timeoutMs`. */
export function reachable(service: Service, timeoutMs = 1000): Promise<boolean> {
  const { host, port } = service === 'PostgreSQL' ? hostPort(PG_URL, 5432) : hostPort(REDIS_URL, 6379);
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host, () => finish(true));
  });
}

/**
 * `describe` when every service is reachable; otherwise a skipped suite (and a line on stderr), or
 * under SESAME_TEST_REQUIRE_SERVICES=1 one failing test naming the missing service.
 *
 * @example await describeWithServices(['PostgreSQL'], 'PostgreSQL store', () => { ... });
 */
export async function describeWithServices(
  services: Service[],
  name: string,
  body: () => void,
): Promise<void> {
  const missing: Service[] = [];
  for (const service of services) if (!(await reachable(service))) missing.push(service);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const why = `${missing.join(' and ')} not reachable (${missing.map((s) => (s === 'Redis' ? REDIS_URL : new URL(PG_URL).host)).join(', ')})`;
  if (REQUIRE_SERVICES) {
    describe(name, () => {
      it(`needs ${missing.join(' and ')}`, () => {
        throw new Error(`${why}, and SESAME_TEST_REQUIRE_SERVICES=1 forbids skipping`);
      });
    });
    return;
  }
  process.stderr.write(`\n[sesame tests] SKIPPED "${name}": ${why}\n`);
  describe.skip(skippedSuiteName(name, why), body);
}

/** A fresh schema name for one test or one file. */
export function freshSchema(prefix = 'sesame_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops a schema and everything in it (best effort: the test's own cleanup). */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * A PostgreSQL store in a fresh schema, dropped on close; `openSecond` opens another store (its
 * own pool) on the same schema.
 *
 * @example const { store, openSecond } = await openTestPostgresStore(); ... await store.close();
 */
export async function openTestPostgresStore(options: Partial<PostgresStoreOptions> = {}) {
  const schema = options.schema ?? freshSchema();
  const base = { url: PG_URL, schema, poolSize: 4, ...options };
  const store = await openPostgresStore(base);
  const seconds: { close(): Promise<void> }[] = [];
  return {
    schema,
    store: Object.freeze({
      ...store,
      async close() {
        await store.close();
        await Promise.all(seconds.map((s) => s.close()));
        await dropSchema(schema);
      },
    }),
    openSecond: async () => {
      const second = await openPostgresStore({ ...base, migrate: false });
      seconds.push(second);
      return second;
    },
  };
}
