/**
 * Login throttling: per-username and per-client-IP failure counters in the store, with exponential
 * back-off — the first few failures are free, then 1 s, 2 s, 4 s … capped (15 min by default), and
 * a quiet period resets the count. It is deliberately not a hard lockout: an attacker can slow a
 * user's logins down but never lock the account for good (OWASP Authentication Cheat Sheet,
 * "Account Lockout"). Counter keys are hashed, so a password typed into the username field is never
 * stored in clear.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/types.js';

export interface ThrottleOptions {
  store: Store;
  now?: () => number;
  /** Failures that cost nothing (default 5). */
  freeFailures?: number;
  /** Delay after the first counted failure (default 1000 ms), doubling each time. */
  baseDelayMs?: number;
  /** The longest delay (default 15 minutes). */
  maxDelayMs?: number;
  /** A quiet period this long since the last failure resets the count (default 1 hour). */
  windowMs?: number;
}

/** Whose failures are counted: the username tried and the client's address. */
export interface ThrottleKeys {
  username?: string;
  ip?: string;
}

export interface ThrottleDecision {
  allowed: boolean;
  /** Whole seconds until an attempt is allowed again (0 when allowed): the Retry-After value. */
  retryAfterSeconds: number;
}

export interface LoginThrottle {
  check(keys: ThrottleKeys): Promise<ThrottleDecision>;
  recordFailure(keys: ThrottleKeys): Promise<ThrottleDecision>;
  /** Clears the username's counter; the IP's stays (one good account must not launder an IP). */
  recordSuccess(keys: ThrottleKeys): Promise<void>;
  /** The delay after `failures` failures, in ms (exposed for tests and docs). */
  delayMs(failures: number): number;
}

/**
 * A login throttle over a store.
 *
 * @example
 * const throttle = createLoginThrottle({ store });
 * const gate = await throttle.check({ username, ip });
 * if (!gate.allowed) return reply.code(429).header('Retry-After', gate.retryAfterSeconds).send(...);
 * const result = await users.authenticate(username, password);
 * if (result.ok) await throttle.recordSuccess({ username, ip });
 * else await throttle.recordFailure({ username, ip });
 */
export function createLoginThrottle(options: ThrottleOptions): LoginThrottle {
  const { store } = options;
  const now = options.now ?? Date.now;
  const free = options.freeFailures ?? 5;
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 15 * 60_000;
  const windowMs = options.windowMs ?? 60 * 60_000;

  const delayMs = (failures: number): number => {
    const counted = failures - free;
    if (counted <= 0) return 0;
    // 2 ** 40 already exceeds any sane cap; stopping there avoids Infinity.
    return Math.min(base * 2 ** Math.min(counted - 1, 40), max);
  };
  const decide = (states: { failures: number; lastFailureAt: number }[], at: number): ThrottleDecision => {
    const until = Math.max(0, ...states.map((s) => s.lastFailureAt + delayMs(s.failures)));
    const waitMs = until - at;
    return waitMs > 0
      ? { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) }
      : { allowed: true, retryAfterSeconds: 0 };
  };

  return Object.freeze({
    delayMs,
    async check(keys: ThrottleKeys) {
      const at = now();
      return decide(await Promise.all(counterKeys(keys).map((key) => store.getThrottle(key, at))), at);
    },
    async recordFailure(keys: ThrottleKeys) {
      const at = now();
      return decide(
        await Promise.all(counterKeys(keys).map((key) => store.recordLoginFailure(key, at, windowMs))),
        at,
      );
    },
    async recordSuccess(keys: ThrottleKeys) {
      if (keys.username !== undefined) await store.clearThrottle(userKey(keys.username));
    },
  });
}

function counterKeys(keys: ThrottleKeys): string[] {
  const out: string[] = [];
  if (keys.username !== undefined) out.push(userKey(keys.username));
  if (keys.ip !== undefined) out.push(`ip:${digest(keys.ip)}`);
  return out;
}

/** Case-insensitive, like usernames themselves: 'Alice' and 'alice' share one counter. */
function userKey(username: string): string {
  return `user:${digest(username.normalize('NFC').toLowerCase())}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
