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
  /**
   * Least time between two fetches caused by an unknown kid (default 1 s). A select for an unknown
   * kid inside it waits for its end and shares that one fetch, rather than being refused: a key the
   * issuer started signing with a moment ago is accepted, and a flood of random kids costs the
   * issuer one fetch per cooldown.
   */
  cooldownMs?: number;
  /** The fetch implementation (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The clock, in milliseconds (for tests). */
  now?: () => number;
  /** Waits `ms` (default setTimeout; tests move their clock instead). */
  sleep?: (ms: number) => Promise<void>;
}

/** A key set fetched from a `jwks_uri` and kept fresh. */
export interface RemoteKeySet {
  select(header: JwsHeader): Promise<readonly Key[]>;
  /**
   * The synchronous fast path: the keys for `header` when the last fetched set has them, without
   * waiting; undefined when only `select` can answer (nothing fetched yet, or an unknown kid). A
   * set older than `cacheMaxAgeMs` still answers here while it is refreshed in the background.
   */
  selectSync(header: JwsHeader): readonly Key[] | undefined;
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
  const { timeoutMs = 5_000, cacheMaxAgeMs = 600_000, cooldownMs = 1_000 } = options;
  for (const [name, value] of Object.entries({ timeoutMs, cacheMaxAgeMs, cooldownMs })) {
    if (!Number.isFinite(value) || value < 0)
      throw new JwtError('ERR_OPTION_INVALID', `${name} must be a number of ms`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let current: LocalKeySet | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  /** When the last fetch started, whatever caused it: the cooldown runs from there. */
  let startedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  let refetching: Promise<void> | undefined;

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
    if (pending === undefined) startedAt = now();
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

  /** An unknown kid: one fetch per cooldown, callers inside it waiting for its end. */
  function refetchForKid(): Promise<void> {
    refetching ??= (async () => {
      const wait = startedAt + cooldownMs - now();
      if (wait > 0) await sleep(wait);
      await refresh();
    })().finally(() => {
      refetching = undefined;
    });
    return refetching;
  }

  return {
    get current() {
      return current;
    },
    reload,
    selectSync(header) {
      if (current === undefined) return undefined;
      if (now() - fetchedAt > cacheMaxAgeMs && pending === undefined) refresh().catch(() => undefined);
      try {
        return current.select(header);
      } catch (error) {
        if (error instanceof JwtError && error.code === 'ERR_JWKS_NO_MATCH') return undefined;
        throw error;
      }
    },
    async select(header) {
      if (current === undefined || now() - fetchedAt > cacheMaxAgeMs) await refresh();
      try {
        return current!.select(header);
      } catch (error) {
        if (!(error instanceof JwtError) || error.code !== 'ERR_JWKS_NO_MATCH') throw error;
        await refetchForKid();
        return current!.select(header);
      }
    },
  };
}
