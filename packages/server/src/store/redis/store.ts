/**
 * Redis over a SQL store, for what many instances must share and check fast (docs/deploy.md):
 *  - login-throttle counters (a Lua script, atomic, expiring); per-instance counters while Redis is down;
 *  - single-use markers: SET NX PX turns replays away early; the database marker decides (exactly once);
 *  - DPoP proofs accepted (RFC 9449 §11.1): SET NX PX alone decides; unreachable, a proof is refused;
 *  - the access-token denylist: each revocation is written to the database first (the durable
 *    record, and the guards' feed), then to Redis with TTL = the remaining life of what it covers,
 *    and announced on a channel that every instance's feed stream and denylist mirror listen to.
 * Redis may lose everything (a restart without persistence): on every (re)connection the entries
 * still alive are copied back from the database before Redis answers a revocation check again.
 * Until then — and while Redis is down — checks follow `failMode`: 'closed' answers "revoked",
 * 'open' answers from the database. Token issuance never depends on Redis, but for a DPoP proof.
 */
import { StoreError } from '../errors.js';
import type { Revocation, Store } from '../types.js';
import type { RedisConnection } from './connection.js';
import { type Counters, memoryCounters, redisCounters } from './counters.js';

export interface RedisLayerOptions {
  /** What a revocation check answers while Redis cannot: 'closed' (default) revoked, 'open' the database. */
  failMode?: 'closed' | 'open';
  /** The clock of the entries (default Date.now): what "remaining life" is measured from. */
  now?: () => number;
  /** Told once per change of state ("redis unreachable", "redis back"); never a URL or a value. */
  log?: (message: string) => void;
  /**
   * Whether the state found at start is told too (default true). The workers of one `serve` share
   * one terminal: only one of them says it, or a first start printed the line once per worker.
   */
  announceStart?: boolean;
}

const PAGE = 1000;

/** How long a DPoP marker outlives its expiry in Redis (see rememberDpopProof). */
const DPOP_TTL_SLACK_MS = 60_000;

/** Set-if-absent-or-expired: KEYS[1], ARGV = expiresAt, now, ttl ms. 1 when set, 0 when still held. */
const REMEMBER = `
local held = redis.call('GET', KEYS[1])
if held and tonumber(held) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/**
 * @example const store = withRedis(await openPostgresStore(...), connectRedis({ url }), { failMode: 'closed' });
 */
export function withRedis(store: Store, redis: RedisConnection, options: RedisLayerOptions = {}): Store {
  const { client, subscriber, prefix } = redis;
  const failClosed = (options.failMode ?? 'closed') === 'closed';
  const now = options.now ?? Date.now;
  const shared = redisCounters(client, `${prefix}throttle:`);
  const local = memoryCounters();
  const channel = `${prefix}revocations`;
  const keysChannel = `${prefix}keys`;
  const keyWatchers = new Set<() => void>();
  const denyKey = (entry: Pick<Revocation, 'kind' | 'value'>) => `${prefix}deny:${entry.kind}:${entry.value}`;
  const watchers = new Set<() => void>();
  let ready = false; // Redis up AND the denylist copied back since the last connection
  let generation = 0;

  /** Redis when it answers, the fallback when it does not: a request never fails because of Redis. */
  const either = async <T>(viaRedis: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
    if (!redis.up()) return fallback();
    try {
      return await viaRedis();
    } catch {
      return fallback();
    }
  };
  const counters: Counters = {
    recordLoginFailure: (k, n, w) =>
      either(
        () => shared.recordLoginFailure(k, n, w),
        () => local.recordLoginFailure(k, n, w),
      ),
    getThrottle: (k, n) =>
      either(
        () => shared.getThrottle(k, n),
        () => local.getThrottle(k, n),
      ),
    clearThrottle: async (k) => {
      await local.clearThrottle(k);
      await either(
        () => shared.clearThrottle(k),
        async () => undefined,
      );
    },
  };

  /** SET with the remaining life as TTL; the value is the expiry, for callers with their own clock. */
  const deny = (entry: Revocation, at: number) =>
    client.set(denyKey(entry), String(entry.expiresAt), 'PX', Math.max(1, entry.expiresAt - at));
  const copyBack = async (mine: number) => {
    let cursor = 0;
    for (;;) {
      const at = now();
      const page = await store.listRevocations(cursor, at, PAGE);
      if (page.length > 0) await Promise.all(page.map((entry) => deny(entry, at)));
      cursor = page.at(-1)?.seq ?? cursor;
      if (page.length < PAGE) break;
    }
    if (mine === generation) ready = true;
  };
  const notify = () => {
    for (const watcher of watchers) watcher();
  };
  const onState = (up: boolean, atStart = false) => {
    const mine = ++generation;
    ready = false;
    if (!atStart || options.announceStart !== false)
      options.log?.(
        up
          ? `redis reachable: shared counters and denylist ${atStart ? 'in use' : 'resume'}`
          : 'redis unreachable: per-instance throttling, revocation checks fail ' +
              (failClosed ? 'closed' : 'open (database)'),
      );
    // Entries appended while this instance heard nothing: the watchers catch up from the database.
    if (up) copyBack(mine).then(notify, () => undefined);
  };
  redis.onStateChange((up) => onState(up));
  // Already connected (the caller waited for Redis): no state change will come, so start here.
  if (redis.up()) onState(true, true);
  subscriber.subscribe(channel, keysChannel).catch(() => undefined);
  subscriber.on('message', (from: string) => {
    if (from === channel) notify();
    if (from === keysChannel) for (const watcher of keyWatchers) watcher();
  });
  /** Tells every process its keyring is stale; a lost message is covered by the reload interval. */
  const keysChanged = () =>
    either(
      () => client.publish(keysChannel, '1'),
      async () => 0,
    );

  return Object.freeze({
    ...store,
    ...counters,
    async markUsedOnce(key: string, expiresAt: number, at: number) {
      // SET NX turns a replay away without touching the database; the database still decides, so a
      // code used before an outage is not accepted again during it (or after, from a cold Redis).
      const first = await either(
        async () =>
          (await client.set(`${prefix}once:${key}`, '1', 'PX', Math.max(1, expiresAt - at), 'NX')) === 'OK',
        async () => true,
      );
      return first && store.markUsedOnce(key, expiresAt, at);
    },
    async rememberDpopProof(key: string, expiresAt: number, at: number) {
      // Every instance sees the same Redis, so it alone decides (RFC 9449 §11.1): one script, atomic,
      // judging expiry by the caller's clock (the value is the expiry), with the remaining life as
      // TTL. Unreachable (after a moment for a connection being made): the proof is refused (503),
      // never let through; the database's table is not consulted, as it holds none of these.
      if (!redis.up() && !(await redis.whenUp(1000))) {
        throw new StoreError('ERR_STORE_UNAVAILABLE', 'the DPoP replay cache is unreachable');
      }
      try {
        // The value decides (the script compares it with the caller's clock); the TTL only frees
        // memory, a minute late: another instance whose clock lags this one's still judges the
        // proof live after this one's expiry, and real time between two callers may exceed the
        // proof's remaining life on a busy machine.
        const ttl = String(Math.max(1, expiresAt - at) + DPOP_TTL_SLACK_MS);
        const first = await client.eval(
          REMEMBER,
          1,
          `${prefix}dpop:${key}`,
          String(expiresAt),
          String(at),
          ttl,
        );
        return first === 1;
      } catch (error) {
        throw new StoreError('ERR_STORE_UNAVAILABLE', 'the DPoP replay cache is unreachable', {
          cause: error,
        });
      }
    },
    async insertSigningKey(key: Parameters<Store['insertSigningKey']>[0]) {
      await store.insertSigningKey(key);
      await keysChanged();
    },
    async rotateSigningKeys(input: Parameters<Store['rotateSigningKeys']>[0]) {
      const rotated = await store.rotateSigningKeys(input);
      if (rotated) await keysChanged();
      return rotated;
    },
    async revokeSigningKey(kid: string, now: number, expiresAt: number) {
      const before = await store.revokeSigningKey(kid, now, expiresAt);
      if (before !== undefined) await keysChanged();
      return before;
    },
    watchSigningKeys(listener: () => void) {
      keyWatchers.add(listener);
      return () => keyWatchers.delete(listener);
    },
    async addRevocation(entry: Omit<Revocation, 'seq'>) {
      const saved = await store.addRevocation(entry);
      // Best effort: a copy missed here is made again when Redis next (re)connects.
      await either(
        async () => {
          await deny(saved, saved.createdAt);
          await client.publish(channel, String(saved.seq));
        },
        async () => undefined,
      );
      notify();
      return saved;
    },
    async isJtiRevoked(jti: string, now: number) {
      if (!ready) return failClosed ? true : store.isJtiRevoked(jti, now);
      try {
        const until = await client.get(denyKey({ kind: 'jti', value: jti }));
        return until !== null && Number(until) > now;
      } catch {
        return failClosed ? true : store.isJtiRevoked(jti, now);
      }
    },
    watchRevocations(listener: () => void) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
    revocationsLive: () => ready || !failClosed,
    dependencies: () => ({ redis: redis.up() ? ('ok' as const) : ('unavailable' as const) }),
    async close() {
      watchers.clear();
      keyWatchers.clear();
      await redis.close();
      await store.close();
    },
  });
}
