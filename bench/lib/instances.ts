/**
 * Several `sesame serve` instances sharing one PostgreSQL schema and one Redis key prefix, as a
 * deployment behind a load balancer runs them (`npm run bench:scaleout`). The schema and the prefix
 * are the benchmark's own, made fresh and dropped after; every instance gets the same master key
 * (the signing keys in PostgreSQL are sealed with it).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { killOnExit } from './processes.js';
import { type SesameProcess, startSesame } from './sesame.js';

export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The issuer every instance is configured with: the balancer's public name. */
export const PUBLIC_ISSUER = 'https://sesame.example';

/** Runs one statement on the machine's PostgreSQL (schemas of a run: create, drop). */
export async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A PostgreSQL schema and a Redis key prefix of one run's own, and the settings that point Sesame at them. */
export interface FreshStore {
  /** SESAME_DATABASE_URL (the schema as search_path), a master key, SESAME_REDIS_URL and its key prefix. */
  env: Record<string, string>;
  /** Drops the schema and deletes the prefix's Redis keys. */
  drop(): Promise<void>;
}

/**
 * Creates a schema named after `name` (and a random suffix) and returns the server settings for it.
 *
 * @example const store = await freshDistributedStore('bench'); await startSesame({ env: store.env }); await store.drop();
 */
export async function freshDistributedStore(name: string): Promise<FreshStore> {
  const schema = `sesame_${name}_${randomBytes(5).toString('hex')}`;
  await sql(`create schema "${schema}"`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: {
      SESAME_DATABASE_URL: url.toString(),
      SESAME_MASTER_KEY: randomBytes(32).toString('base64'),
      SESAME_REDIS_URL: REDIS_URL,
      SESAME_REDIS_KEY_PREFIX: `${schema}:`,
    },
    async drop() {
      await sql(`drop schema if exists "${schema}" cascade`);
      await dropRedisKeys(`${schema}:`);
    },
  };
}

export interface Cluster {
  instances: SesameProcess[];
  /** Starts one more instance on the same schema and prefix (in place of a killed one). */
  add(): Promise<SesameProcess>;
  /** Stops every instance still running, drops the schema and the Redis keys. */
  dispose(): Promise<void>;
}

/** Starts `count` single-worker instances one after the other (the first runs the migrations). */
export async function startCluster(count: number): Promise<Cluster> {
  const store = await freshDistributedStore('scaleout');
  const env = {
    SESAME_LOG_LEVEL: 'warn',
    // One public URL for every instance, as behind any load balancer (docs/deploy.md): a token
    // issued by one instance names the issuer the others check.
    SESAME_ISSUER: PUBLIC_ISSUER,
    ...store.env,
  };
  const instances: SesameProcess[] = [];
  const guards: { forget(): void }[] = [];
  const start = async () => {
    const instance = await startSesame({ workers: 1, env });
    guards.push(killOnExit(instance.pid));
    instances.push(instance);
    return instance;
  };
  const dispose = async () => {
    await Promise.all(instances.map((instance) => instance.dispose()));
    for (const guard of guards) guard.forget();
    await store.drop();
  };
  try {
    for (let i = 0; i < count; i++) await start();
  } catch (error) {
    await dispose();
    throw error;
  }
  return { instances, add: start, dispose };
}

async function dropRedisKeys(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
