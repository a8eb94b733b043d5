/**
 * The public keys of private_key_jwt clients (RFC 7523 §2.2), for verifying their assertions: the
 * JWK Set registered inline, or the one published at the client's `jwks_uri`, fetched under the
 * server's SSRF rules (jwks-fetch.ts), cached for `cacheMaxAgeMs`, refetched on an unknown `kid`
 * at most once per `cooldownMs` (@sesame/jwt's remote key set does the caching and the cooldown).
 */
import {
  createLocalKeySet,
  createRemoteKeySet,
  type JWK,
  type JWKS,
  type JwsHeader,
  JwtError,
  type Key,
  type KeySet,
  type RemoteKeySet,
} from '@sesame/jwt';
import type { Client } from '../../store/types.js';
import { createKeySetFetch, type KeySetFetchOptions } from './jwks-fetch.js';

export interface ClientKeySetsOptions extends KeySetFetchOptions {
  /** Abort a key set fetch after this long (config `jwksUriTimeout`). */
  timeoutMs: number;
  /** Refetch a cached key set older than this (default 5 min). */
  cacheMaxAgeMs?: number;
  /** Least time between two fetches an unknown kid causes (default 5 s). */
  cooldownMs?: number;
  now?: () => number;
  /** Waits out a cooldown (tests move their clock instead); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** The fetch (tests); default createKeySetFetch(options). */
  fetch?: typeof globalThis.fetch;
}

/** Finds the key set of a client; undefined when it registered none. */
export interface ClientKeySets {
  of(client: Client): KeySet | RemoteKeySet | undefined;
  /**
   * The client's public keys as JWKs, to encrypt a response to (encryption-keys.ts): the inline
   * set, or the one at `jwks_uri`, fetched when never fetched or older than the cache's age (a
   * failed refresh keeps the keys it has). Undefined when it registered none; throws a JwtError
   * (ERR_JWKS_*) when the set cannot be fetched.
   */
  keysOf(client: Client): Promise<readonly JWK[] | undefined>;
}

/**
 * A remote set that, while it has never been fetched successfully, fetches at most once per
 * cooldown: anyone can send an assertion naming a client (its `iss`), and without this each such
 * request would make the server fetch a key set URL that is failing, a request amplifier aimed at
 * the client's host. Once a set was fetched, @sesame/jwt keeps serving it through failed refreshes.
 */
function withFailureCooldown(set: RemoteKeySet, now: () => number, cooldownMs: number): RemoteKeySet {
  let failedAt = Number.NEGATIVE_INFINITY;
  return {
    get current() {
      return set.current;
    },
    async reload() {
      if (set.current === undefined && now() - failedAt < cooldownMs)
        throw new JwtError('ERR_JWKS_FETCH', 'the key set could not be fetched a moment ago');
      try {
        await set.reload();
      } catch (error) {
        if (set.current === undefined) failedAt = now();
        throw error;
      }
    },
    selectSync: (header) => set.selectSync(header),
    async select(header: JwsHeader): Promise<readonly Key[]> {
      if (set.current === undefined && now() - failedAt < cooldownMs)
        throw new JwtError('ERR_JWKS_FETCH', 'the key set could not be fetched a moment ago');
      try {
        return await set.select(header);
      } catch (error) {
        if (set.current === undefined) failedAt = now();
        throw error;
      }
    },
  };
}

/** Key sets kept at most: one per client that signs, the oldest dropped first past it. */
const MAX_SETS = 1_000;

/**
 * @example const set = createClientKeySets({ allowPrivate: false, timeoutMs: 5000 }).of(client);
 */
export function createClientKeySets(options: ClientKeySetsOptions): ClientKeySets {
  const fetch = options.fetch ?? createKeySetFetch(options);
  const now = options.now ?? Date.now;
  const cooldownMs = options.cooldownMs ?? 5_000;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 300_000;
  const sets = new Map<string, { source: string; set: KeySet | RemoteKeySet; readAt?: number }>();
  const service: ClientKeySets = Object.freeze({
    async keysOf(client: Client) {
      if (client.jwksUri === null) return client.jwks?.keys as JWK[] | undefined;
      const set = service.of(client) as RemoteKeySet;
      const entry = sets.get(client.clientId)!;
      if (set.current === undefined || now() - (entry.readAt ?? Number.NEGATIVE_INFINITY) > cacheMaxAgeMs) {
        try {
          await set.reload();
        } catch (error) {
          if (set.current === undefined) throw error;
        }
        // Also after a failed refresh: the next try waits a cache age, not the next response.
        entry.readAt = now();
      }
      return set.current!.jwks.keys;
    },
    of(client: Client) {
      const source =
        client.jwksUri !== null
          ? `uri:${client.jwksUri}`
          : client.jwks !== null
            ? JSON.stringify(client.jwks)
            : '';
      if (source === '') return undefined;
      const known = sets.get(client.clientId);
      // A changed registration (new keys, another URL) makes a new set at once.
      if (known !== undefined && known.source === source) return known.set;
      const set =
        client.jwksUri !== null
          ? withFailureCooldown(
              createRemoteKeySet(client.jwksUri, {
                fetch,
                timeoutMs: options.timeoutMs,
                cacheMaxAgeMs,
                cooldownMs,
                now,
                sleep: options.sleep,
              }),
              now,
              cooldownMs,
            )
          : createLocalKeySet(client.jwks as unknown as JWKS);
      sets.delete(client.clientId);
      if (sets.size >= MAX_SETS) sets.delete(sets.keys().next().value!);
      sets.set(client.clientId, { source, set });
      return set;
    },
  });
  return service;
}
