/**
 * Login-throttle counters in Redis, and the per-instance counters used while Redis is down. Both
 * keep the store's contract (types.ts): a failure adds one, or restarts the count at one when the
 * quiet window since the last failure is over; the window runs on the caller's clock (`now`), so an
 * injected clock behaves as with the SQL stores. Redis also expires the key one window after the
 * last failure (PEXPIRE), so nothing is left behind.
 */
import type { Redis } from 'ioredis';
import type { ThrottleState } from '../types.js';

/**
 * One atomic step in Redis (a Lua script runs alone): read the window's end, count, stamp, expire.
 * KEYS[1] the counter; ARGV[1] now (ms), ARGV[2] window (ms). Returns the new count.
 */
const RECORD_FAILURE = `
local ends = tonumber(redis.call('HGET', KEYS[1], 'e') or '0')
local failures = 1
if ends > tonumber(ARGV[1]) then
  failures = tonumber(redis.call('HGET', KEYS[1], 'f') or '0') + 1
end
redis.call('HSET', KEYS[1], 'f', failures, 'l', ARGV[1], 'e', tonumber(ARGV[1]) + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return failures
`;

const NONE: ThrottleState = Object.freeze({ failures: 0, lastFailureAt: 0 });

export interface Counters {
  recordLoginFailure(key: string, now: number, windowMs: number): Promise<ThrottleState>;
  getThrottle(key: string, now: number): Promise<ThrottleState>;
  clearThrottle(key: string): Promise<void>;
}

/**
 * Counters shared by every instance through Redis.
 *
 * @example const counters = redisCounters(redis.client, 'sesame:throttle:');
 */
export function redisCounters(client: Redis, prefix: string): Counters {
  return {
    async recordLoginFailure(key, now, windowMs) {
      const failures = await client.eval(RECORD_FAILURE, 1, prefix + key, String(now), String(windowMs));
      return { failures: Number(failures), lastFailureAt: now };
    },
    async getThrottle(key, now) {
      const [f, l, e] = await client.hmget(prefix + key, 'f', 'l', 'e');
      if (f === null || Number(e) <= now) return NONE;
      return { failures: Number(f), lastFailureAt: Number(l) };
    },
    async clearThrottle(key) {
      await client.del(prefix + key);
    },
  };
}

/**
 * Counters of this process only: while Redis is down each instance throttles on its own (an
 * attacker spreading guesses over N instances gets N times the budget, for the outage only).
 * Bounded: past `maxKeys` the oldest counters are dropped first.
 *
 * @example const local = memoryCounters();
 */
export function memoryCounters(maxKeys = 100_000): Counters {
  const counters = new Map<string, { failures: number; last: number; ends: number }>();
  return {
    async recordLoginFailure(key, now, windowMs) {
      const known = counters.get(key);
      const failures = known && known.ends > now ? known.failures + 1 : 1;
      counters.delete(key); // re-inserted last: Map order is then oldest-first
      counters.set(key, { failures, last: now, ends: now + windowMs });
      if (counters.size > maxKeys) counters.delete(counters.keys().next().value!);
      return { failures, lastFailureAt: now };
    },
    async getThrottle(key, now) {
      const known = counters.get(key);
      return known && known.ends > now ? { failures: known.failures, lastFailureAt: known.last } : NONE;
    },
    async clearThrottle(key) {
      counters.delete(key);
    },
  };
}
