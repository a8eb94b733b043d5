/**
 * Login throttling: failure counters in the store, with exponential back-off — the first few
 * failures are free, then 1 s, 2 s, 4 s … capped, and a quiet period resets a count. Three counters:
 *
 *  - per username (every address): guessing one account's password. Back-off up to `maxDelayMs`
 *    (15 min); cleared by that user's successful login.
 *  - per address (every username): how much this address has failed, which sets how long it waits.
 *  - per address and username: which usernames this address has failed on. The address's back-off
 *    (capped at `addressMaxDelayMs`, 30 s) applies only to those, and runs from the last failure on
 *    that username. So failures from one address (a NAT, or a reverse proxy without `trustProxy`)
 *    never stop another user of that address with the right password: a user who has not failed
 *    from there is not slowed by it at all, and one who has waits at most `addressMaxDelayMs` after
 *    their own last failure, whatever else the address does meanwhile. An attacker spraying from one
 *    address gets each username once, then pays the address's back-off per username, and each
 *    username's own counter beyond that.
 *
 * It is deliberately not a hard lockout (OWASP Authentication Cheat Sheet, "Account Lockout"). Counter
 * keys are hashed, so a password typed into the username field is never stored in clear.
 */
import { createHash } from 'node:crypto';
import type { Store, ThrottleState } from '../../store/types.js';

export interface ThrottleOptions {
  store: Store;
  now?: () => number;
  /** Failures that cost nothing (default 5). */
  freeFailures?: number;
  /** Delay after the first counted failure (default 1000 ms), doubling each time. */
  baseDelayMs?: number;
  /** The longest delay of a username's counter (default 15 minutes). */
  maxDelayMs?: number;
  /** The longest delay an address's failures impose on a username it failed on (default 30 s). */
  addressMaxDelayMs?: number;
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
  /**
   * Clears the username's counter and the address's record of failing on it; the address's own
   * count stays (one good account must not launder an address).
   */
  recordSuccess(keys: ThrottleKeys): Promise<void>;
  /**
   * Counts one attempt refused with 429 for these keys (a quiet window resets it) and returns the
   * count: the caller audits aggregated refusals from it, so an attack cannot flood the trail.
   */
  recordRefusal(keys: ThrottleKeys): Promise<number>;
  /** The delay of a username's counter after `failures` failures, in ms (exposed for tests and docs). */
  delayMs(failures: number): number;
  /** The delay an address's `failures` impose on a username it failed on, in ms. */
  addressDelayMs(failures: number): number;
}

const NONE: ThrottleState = Object.freeze({ failures: 0, lastFailureAt: 0 });

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
  const addressMax = options.addressMaxDelayMs ?? 30_000;
  const windowMs = options.windowMs ?? 60 * 60_000;

  const backOff = (failures: number, cap: number): number => {
    const counted = failures - free;
    if (counted <= 0) return 0;
    // 2 ** 40 already exceeds any sane cap; stopping there avoids Infinity.
    return Math.min(base * 2 ** Math.min(counted - 1, 40), cap);
  };
  const delayMs = (failures: number) => backOff(failures, max);
  const addressDelayMs = (failures: number) => backOff(failures, addressMax);

  /** When the next attempt is allowed, from the three counters' states. */
  const until = (user: ThrottleState, address: ThrottleState, pair: ThrottleState | undefined): number => {
    const byUser = user.lastFailureAt + delayMs(user.failures);
    // Without a username (never from the login routes) the address's back-off applies as such.
    const byAddress =
      pair === undefined
        ? address.lastFailureAt + addressDelayMs(address.failures)
        : pair.failures > 0
          ? pair.lastFailureAt + addressDelayMs(address.failures)
          : 0;
    return Math.max(byUser, byAddress);
  };
  const decide = (at: number, waitUntil: number): ThrottleDecision => {
    const waitMs = waitUntil - at;
    return waitMs > 0
      ? { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) }
      : { allowed: true, retryAfterSeconds: 0 };
  };
  const states = (keys: ThrottleKeys, read: (key: string) => Promise<ThrottleState>) => {
    const { user, address, pair } = counterKeys(keys);
    return Promise.all([
      user === undefined ? NONE : read(user),
      address === undefined ? NONE : read(address),
      pair === undefined ? undefined : read(pair),
    ]);
  };

  return Object.freeze({
    delayMs,
    addressDelayMs,
    async check(keys: ThrottleKeys) {
      const at = now();
      const [user, address, pair] = await states(keys, (key) => store.getThrottle(key, at));
      return decide(at, until(user, address, pair));
    },
    async recordFailure(keys: ThrottleKeys) {
      const at = now();
      const [user, address, pair] = await states(keys, (key) => store.recordLoginFailure(key, at, windowMs));
      return decide(at, until(user, address, pair));
    },
    async recordSuccess(keys: ThrottleKeys) {
      const { user, pair } = counterKeys(keys);
      await Promise.all([user, pair].flatMap((key) => (key === undefined ? [] : [store.clearThrottle(key)])));
    },
    async recordRefusal(keys: ThrottleKeys) {
      const { user, address, pair } = counterKeys(keys);
      const key = `refused:${pair ?? user ?? address ?? 'none'}`;
      return (await store.recordLoginFailure(key, now(), windowMs)).failures;
    },
  });
}

function counterKeys(keys: ThrottleKeys): { user?: string; address?: string; pair?: string } {
  const name = keys.username === undefined ? undefined : normalise(keys.username);
  return {
    user: name === undefined ? undefined : `user:${digest(name)}`,
    address: keys.ip === undefined ? undefined : `ip:${digest(keys.ip)}`,
    // The separator cannot occur in an address, so no two (address, username) pairs share a key.
    pair: name === undefined || keys.ip === undefined ? undefined : `pair:${digest(`${keys.ip}\n${name}`)}`,
  };
}

/** Case-insensitive, like usernames themselves: 'Alice' and 'alice' share one counter. */
function normalise(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
