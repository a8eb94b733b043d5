/**
 * The Redis connections of one process: one for commands, one for pub/sub (a subscribed RESP2
 * connection can run nothing else). Both fail fast while Redis is down — no offline queue, one
 * attempt per command — because every caller has a fallback (per-instance counters, the database,
 * fail-closed) and a request must not hang waiting for a reconnection. ioredis keeps reconnecting
 * in the background; `up()` says whether the command connection is ready right now.
 */
import { Redis } from 'ioredis';

export interface RedisConnection {
  readonly client: Redis;
  readonly subscriber: Redis;
  /** Prefix of every key and channel of this deployment. */
  readonly prefix: string;
  /** True while the command connection is ready. */
  up(): boolean;
  /** Resolves true once ready, or false after `ms` (Redis down must not stop a start or a command). */
  whenUp(ms: number): Promise<boolean>;
  /** Calls `listener(up)` when the command connection goes down or comes back. */
  onStateChange(listener: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  url: string;
  prefix?: string;
  /** How long one command may take before it counts as a failure (default 1000 ms). */
  commandTimeoutMs?: number;
}

/**
 * Connects (in the background: this never throws because Redis is down).
 *
 * @example const redis = connectRedis({ url: 'redis://127.0.0.1:6379', prefix: 'sesame:' });
 */
export function connectRedis(options: RedisConnectionOptions): RedisConnection {
  const common = {
    // RESP2: the pub/sub connection then behaves the same on every Redis version (6 and 7).
    protocol: 2 as const,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    // Reconnect quickly at first, then every 2 s: an outage ends when Redis is back, not later.
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
    lazyConnect: false,
  };
  const client = new Redis(options.url, common);
  // The subscriber may queue its SUBSCRIBE until connected: it is resent on every reconnection.
  const subscriber = new Redis(options.url, {
    ...common,
    enableOfflineQueue: true,
    commandTimeout: undefined,
  });
  // ioredis emits 'error' for every failed attempt; the state listeners below report it once.
  client.on('error', () => undefined);
  subscriber.on('error', () => undefined);

  const listeners = new Set<(up: boolean) => void>();
  let wasUp = false;
  const report = () => {
    const now = client.status === 'ready';
    if (now === wasUp) return;
    wasUp = now;
    for (const listener of listeners) listener(now);
  };
  for (const event of ['ready', 'close', 'end', 'reconnecting']) client.on(event, report);

  return Object.freeze({
    client,
    subscriber,
    prefix: options.prefix ?? 'sesame:',
    up: () => client.status === 'ready',
    whenUp: (ms: number) =>
      new Promise<boolean>((done) => {
        if (client.status === 'ready') return done(true);
        const timer = setTimeout(() => done(false), ms);
        client.once('ready', () => {
          clearTimeout(timer);
          done(true);
        });
      }),
    onStateChange(listener: (up: boolean) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      client.disconnect();
      subscriber.disconnect();
    },
  });
}
