/**
 * The public keys of private_key_jwt clients (RFC 7523 §2.2), for verifying their assertions: the
 * JWK Set registered inline, or the one published at the client's `jwks_uri`, fetched under the
 * server's SSRF rules (jwks-fetch.ts), cached for `cacheMaxAgeMs`, refetched on an unknown `kid`
 * at most once per `cooldownMs` (@sesame/jwt's remote key set does the caching and the cooldown).
 */
import {
  createLocalKeySet,
  createRemoteKeySet,
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
    reload: () => set.reload(),
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
  const sets = new Map<string, { source: string; set: KeySet | RemoteKeySet }>();
  return Object.freeze({
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
                cacheMaxAgeMs: options.cacheMaxAgeMs ?? 300_000,
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
}
