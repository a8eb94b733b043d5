/**
 * DPoP (RFC 9449 §7) in the guard: the scheme rule and the proof checklist are @sesame/protocol's
 * (the server runs the same ones), the JWS check @sesame/jwt's; here are the replay caches (memory
 * for one process, Redis for many) and the translation into GuardErrors.
 */
import { type Algorithm, verifyEmbeddedJwk } from '@sesame/jwt';
import {
  type AccessTokenCredentials,
  accessTokenHash,
  boundThumbprint,
  createDpopChecker,
  DPOP_ALGORITHMS,
  DpopProofError,
  type DpopReplayCache,
} from '@sesame/protocol';
import { GuardError } from '../errors.js';

/** The one call of an ioredis (or node-redis v4 legacy-mode) client the guard makes: SET NX PX. */
export interface RedisLike {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>;
}

export interface GuardDpopOptions {
  /** Accepted proof algorithms (default: every asymmetric one; `none` and HMAC are always refused). */
  algorithms?: readonly Algorithm[];
  /** How old a proof may be by its `iat`, in seconds (default 300); its `jti` is kept this long. */
  maxAgeSeconds?: number;
  /** Where accepted proofs are remembered: in this process (default, bounded) or in Redis (many processes). */
  replay?: { maxEntries?: number } | { redis: RedisLike; prefix?: string };
  /**
   * During a migration: accept unbound Bearer tokens (tokens without `cnf`) beside DPoP-bound ones.
   * A DPoP-bound token is never accepted as Bearer. Default false: DPoP-bound tokens only.
   */
  allowBearer?: boolean;
  /**
   * The origin clients reach this API at (`https://api.example`), for `htu` behind a proxy; default
   * the request's own protocol and Host.
   */
  origin?: string;
}

/** The request a proof must be for. */
export interface DpopRequestContext {
  method: string;
  /** The absolute URL of the request, or its path when `origin` is configured. */
  url: string;
  /** The DPoP header value(s). */
  dpop?: string | readonly string[];
}

/**
 * A replay cache in this process: set-if-absent with expiry, bounded. Entries are swept oldest first
 * (they were added in about the order they expire); when every entry is still live and the bound is
 * reached, the proof is refused (503) rather than an entry dropped, which would let its proof replay.
 *
 * @example const cache = memoryReplayCache({ now: Date.now, maxEntries: 100_000 });
 */
export function memoryReplayCache(options: { now: () => number; maxEntries?: number }): DpopReplayCache {
  const { now } = options;
  const max = options.maxEntries ?? 100_000;
  const entries = new Map<string, number>();
  return {
    async remember(key, expiresAt) {
      const at = now();
      for (const [old, until] of entries) {
        if (until > at) break;
        entries.delete(old);
      }
      const held = entries.get(key);
      if (held !== undefined && held > at) return false;
      if (entries.size >= max) throw new Error('the DPoP replay cache is full');
      entries.delete(key);
      entries.set(key, expiresAt);
      return true;
    },
  };
}

/** How long a replay key outlives the proof's expiry in Redis (clocks of the API's processes differ). */
const REDIS_TTL_SLACK_MS = 60_000;

/**
 * A replay cache in Redis, shared by every process of the API: SET NX PX (RFC 9449 §11.1).
 *
 * @example const cache = redisReplayCache(new Redis(url), 'quiz-api:dpop:', Date.now);
 */
export function redisReplayCache(redis: RedisLike, prefix: string, now: () => number): DpopReplayCache {
  return {
    async remember(key, expiresAt) {
      // A minute past the expiry by this process's clock: a process whose clock lags still accepts
      // the proof's iat until its own clock reaches the expiry, and must find the key there.
      const ttl = Math.max(1, expiresAt - now()) + REDIS_TTL_SLACK_MS;
      const answer = await redis.set(`${prefix}${key}`, '1', 'PX', ttl, 'NX');
      return answer === 'OK';
    },
  };
}

/**
 * The check a guard runs after a token's signature, given the token's verified claims: returns
 * nothing, or throws a GuardError.
 */
export type DpopGate = (
  credentials: AccessTokenCredentials,
  claims: { cnf?: unknown },
  request: DpopRequestContext | undefined,
) => Promise<void>;

/**
 * The guard's DPoP check. Without options DPoP is off: a DPoP-bound token is still refused, since a
 * bound token is never a bearer token (RFC 9449 §7.1).
 *
 * @example const gate = createDpopGate({ realm, now, options: { replay: { redis } } });
 */
export function createDpopGate(input: {
  realm: string;
  now: () => number;
  options: GuardDpopOptions | undefined;
}): DpopGate {
  const { realm, now } = input;
  const options = input.options;
  if (options === undefined) {
    return async (_credentials, { cnf }) => {
      if (cnf === undefined) return;
      throw new GuardError({
        status: 401,
        reason: 'dpop_scheme',
        error: 'invalid_token',
        description: 'the access token is DPoP-bound and this resource does not take DPoP',
        realm,
      });
    };
  }
  const algorithms = options.algorithms ?? (DPOP_ALGORITHMS as readonly Algorithm[]);
  const replay =
    options.replay !== undefined && 'redis' in options.replay
      ? redisReplayCache(options.replay.redis, options.replay.prefix ?? 'sesame-guard:dpop:', now)
      : memoryReplayCache({ now, maxEntries: options.replay?.maxEntries });
  if (options.origin !== undefined && !URL.canParse(options.origin))
    throw new TypeError('dpop.origin must be a URL');
  const origin = options.origin?.replace(/\/+$/, '');
  const check = createDpopChecker({
    verify: (proof, o) => verifyEmbeddedJwk(proof, { algorithms: o.algorithms as Algorithm[], typ: o.typ }),
    algorithms,
    replay,
    now,
    maxAgeSeconds: options.maxAgeSeconds ?? 300,
  });
  // `ath` (RFC 9449 §4.3 point 12) of a remembered token, kept beside its verified claims: the guard
  // returns the same frozen claims object for every request that presents the same token text, so
  // the hash is computed once per token, and dropped with the claims when the guard forgets them.
  // The text is compared too, so an entry answers only for the exact token it was computed from.
  const hashes = new WeakMap<object, { token: string; ath: string }>();
  const athOf = (claims: object, token: string): string => {
    const known = hashes.get(claims);
    if (known !== undefined && known.token === token) return known.ath;
    const ath = accessTokenHash(token);
    hashes.set(claims, { token, ath });
    return ath;
  };
  const refuse = (
    status: 400 | 401 | 503,
    reason: GuardError['reason'],
    error: GuardError['error'],
    description: string,
    dpopRule?: string,
  ) =>
    new GuardError({
      status,
      reason,
      error,
      description,
      realm,
      scheme: 'DPoP',
      algs: algorithms,
      dpopRule,
      ...(status === 503 ? { retryAfter: 5 } : {}),
    });

  return async function dpopGate(credentials, claims, request) {
    let thumbprint: string | undefined;
    try {
      thumbprint = boundThumbprint(credentials.scheme, claims.cnf);
    } catch (error) {
      if (!(error instanceof DpopProofError)) throw error;
      throw refuse(401, 'dpop_scheme', 'invalid_token', error.message);
    }
    if (thumbprint === undefined) {
      if (options.allowBearer) return;
      throw refuse(401, 'dpop_scheme', 'invalid_token', 'this resource requires a DPoP-bound access token');
    }
    try {
      const path = request?.url ?? '';
      await check({
        header: request?.dpop,
        method: request?.method ?? '',
        url: origin === undefined ? path : `${origin}${path.startsWith('/') ? path : new URL(path).pathname}`,
        accessToken: credentials.token,
        accessTokenHash: athOf(claims, credentials.token),
        thumbprint,
      });
    } catch (error) {
      if (error instanceof DpopProofError) {
        throw refuse(401, 'dpop_proof_invalid', 'invalid_dpop_proof', error.message, error.rule);
      }
      if (error instanceof GuardError) throw error;
      // The replay cache cannot tell whether this proof was seen: refuse, never let it through.
      throw refuse(
        503,
        'dpop_unavailable',
        'temporarily_unavailable',
        'the DPoP replay cache is unavailable',
      );
    }
  };
}
