/**
 * Where the tests find the machine's PostgreSQL and Redis (SESAME_TEST_DATABASE_URL and
 * SESAME_TEST_REDIS_URL, or the local defaults .ci/run sets up), and a fixed test master key.
 *
 * @example const client = new pg.Client({ connectionString: PG_URL });
 */
export const PG_URL = process.env.SESAME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** @example const redis = new Redis(REDIS_URL); */
export const REDIS_URL = process.env.SESAME_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** CI sets SESAME_TEST_REQUIRE_SERVICES=1: a suite whose service is missing fails instead of skipping. */
export const REQUIRE_SERVICES = process.env.SESAME_TEST_REQUIRE_SERVICES === '1';
/** A fixed test master key (32 bytes, base64): never used outside tests. @example SESAME_MASTER_KEY: TEST_MASTER_KEY */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * The host and port of a service URL, with the service's default port.
 *
 * @example hostPort(PG_URL, 5432) // { host: '127.0.0.1', port: 5432 }
 */
export function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || defaultPort) };
}
