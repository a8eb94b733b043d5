import { JwtError } from './errors.js';
import type { JWKS } from './jwk.js';
import type { JwsHeader } from './jws.js';
import { createLocalKeySet, type LocalKeySet } from './key-sets.js';
import type { Key } from './keys.js';

export interface RemoteKeySetOptions {
  /** Abort a fetch after this long (default 5 s). */
  timeoutMs?: number;
  /** Refetch when the cached set is older than this (default 10 min). */
  cacheMaxAgeMs?: number;
  /** After a fetch, an unknown kid causes no new fetch for this long (default 30 s). */
  cooldownMs?: number;
  /** The fetch implementation (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The clock, in milliseconds (for tests). */
  now?: () => number;
}

/** A key set fetched from a `jwks_uri` and kept fresh. */
export interface RemoteKeySet {
  select(header: JwsHeader): Promise<readonly Key[]>;
  /** Fetches now (shared with any fetch already under way). */
  reload(): Promise<void>;
  /** The last key set fetched, if any. */
  readonly current: LocalKeySet | undefined;
}

const MAX_BODY_BYTES = 512 * 1024;

/**
 * A key set fetched over http(s): cached for `cacheMaxAgeMs`, refetched on an unknown `kid` at most
 * once per `cooldownMs` (so a key rotation at the issuer is picked up, and a flood of tokens with
 * random kids cannot make us hammer it), concurrent fetches shared, redirects refused, only a 200
 * JSON key set accepted. When a refresh fails, the last good set keeps serving.
 *
 * @example
 * const jwks = createRemoteKeySet(new URL('https://id.example/.well-known/jwks.json'));
 * await verifyAsync(token, jwks, { algorithms: ['ES256'] });
 */
export function createRemoteKeySet(url: URL | string, options: RemoteKeySetOptions = {}): RemoteKeySet {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new JwtError('ERR_OPTION_INVALID', 'the key set URL is not a valid URL');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new JwtError('ERR_OPTION_INVALID', 'the key set URL must be http or https');
  }
  const { timeoutMs = 5_000, cacheMaxAgeMs = 600_000, cooldownMs = 30_000 } = options;
  for (const [name, value] of Object.entries({ timeoutMs, cacheMaxAgeMs, cooldownMs })) {
    if (!Number.isFinite(value) || value < 0)
      throw new JwtError('ERR_OPTION_INVALID', `${name} must be a number of ms`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  let current: LocalKeySet | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  async function fetchOnce(): Promise<void> {
    let response: Response;
    try {
      response = await fetchImpl(target, {
        headers: { accept: 'application/json, application/jwk-set+json', ...options.headers },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new JwtError('ERR_JWKS_TIMEOUT', 'fetching the key set timed out');
      }
      throw new JwtError('ERR_JWKS_FETCH', 'fetching the key set failed');
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new JwtError('ERR_JWKS_FETCH', `the key set URL answered ${response.status}`);
    }
    const type = response.headers.get('content-type') ?? '';
    if (!/^application\/(jwk-set\+)?json\b/i.test(type)) {
      await response.body?.cancel().catch(() => undefined);
      throw new JwtError('ERR_JWKS_FETCH', 'the key set URL did not answer JSON');
    }
    let body: JWKS;
    try {
      const text = await response.text();
      if (text.length > MAX_BODY_BYTES) throw new Error('too large');
      body = JSON.parse(text) as JWKS;
    } catch (error) {
      if ((error as Error)?.name === 'TimeoutError')
        throw new JwtError('ERR_JWKS_TIMEOUT', 'fetching the key set timed out');
      throw new JwtError('ERR_JWKS_FETCH', 'the key set is not valid JSON');
    }
    current = createLocalKeySet(body);
    fetchedAt = now();
  }

  function reload(): Promise<void> {
    pending ??= fetchOnce().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  async function refresh(): Promise<void> {
    try {
      await reload();
    } catch (error) {
      // A failed refresh must not take down a verifier that still holds good keys.
      if (current === undefined) throw error;
      fetchedAt = now();
    }
  }

  return {
    get current() {
      return current;
    },
    reload,
    async select(header) {
      if (current === undefined || now() - fetchedAt > cacheMaxAgeMs) await refresh();
      try {
        return current!.select(header);
      } catch (error) {
        if (
          !(error instanceof JwtError) ||
          error.code !== 'ERR_JWKS_NO_MATCH' ||
          now() - fetchedAt < cooldownMs
        ) {
          throw error;
        }
        await refresh();
        return current!.select(header);
      }
    },
  };
}
