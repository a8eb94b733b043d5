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

/** Key sets kept at most: one per client that signs, the oldest dropped first past it. */
const MAX_SETS = 1_000;

/**
 * @example const set = createClientKeySets({ allowPrivate: false, timeoutMs: 5000 }).of(client);
 */
export function createClientKeySets(options: ClientKeySetsOptions): ClientKeySets {
  const fetch = options.fetch ?? createKeySetFetch(options);
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
          ? createRemoteKeySet(client.jwksUri, {
              fetch,
              timeoutMs: options.timeoutMs,
              cacheMaxAgeMs: options.cacheMaxAgeMs ?? 300_000,
              cooldownMs: options.cooldownMs ?? 5_000,
              now: options.now,
              sleep: options.sleep,
            })
          : createLocalKeySet(client.jwks as unknown as JWKS);
      sets.delete(client.clientId);
      if (sets.size >= MAX_SETS) sets.delete(sets.keys().next().value!);
      sets.set(client.clientId, { source, set });
      return set;
    },
  });
}
