/**
 * The access-token denylist. A JWT stays valid until `exp`, so revoking one before that means
 * remembering it (RFC 7009 §2.2 leaves this to the server): by `jti` (one token), by `sid` (every
 * token of a session), by user or by client ("their tokens issued before T"), or by signing key
 * (`kid`: every token it signed, for a compromised key). Entries live in the store — the same
 * rows the guards' revocation feed serves — and expire when the last token they cover has.
 * `isRevoked` is on the hot path (the bearer guard, introspection), so it answers from an in-memory
 * mirror of the feed, caught up with the store at most every `syncIntervalMs`; this process's own
 * revocations are applied to the mirror at once. The mirror is @sesame/protocol's RevocationList,
 * fed with the feed's own wire encoding: the match decision is the one every guard makes.
 * The mirror is what bounds this process's memory (about 100 bytes of heap a jti entry, measured by
 * `npm run bench:memory`): entries leave it once every token they cover has expired, dropped at
 * most every `purgeIntervalMs` — a pass over every entry, too costly for each sync of a large list.
 */
import { encodeRevocation, type RevocableClaims as ProtocolClaims, RevocationList } from '@sesame/protocol';
import type { Revocation, RevocationKind, Store } from '../../store/types.js';

export interface DenylistOptions {
  store: Store;
  now?: () => number;
  /** The longest access-token life: how long sid, user, client and kid entries must last (default 15 min). */
  maxTokenLifetimeMs?: number;
  /** Verifiers' clock tolerance, added to every entry's life (default 60 s). */
  clockToleranceMs?: number;
  /** How stale the mirror may be before `isRevoked` catches up (default 1 s). */
  syncIntervalMs?: number;
  /** How often expired entries are dropped from the mirror, at most (default 60 s). */
  purgeIntervalMs?: number;
}

/** The claims `isRevoked` looks at (numbers in seconds, as in the JWT), and the header's `kid`. */
export interface RevocableClaims extends ProtocolClaims {
  /** The `kid` of the token's header. */
  kid?: unknown;
}

export interface Denylist {
  /** Revokes one access token until it expires (`exp` in seconds). */
  revokeToken(claims: { jti: string; exp: number }): Promise<Revocation>;
  /** Revokes every access token of a session (a refresh family's id is its `sid`). */
  revokeSession(sid: string): Promise<Revocation>;
  /** Revokes every access token of a user issued up to now. */
  revokeUser(userId: string): Promise<Revocation>;
  /** Revokes every access token of a client issued up to now (the client was removed). */
  revokeClient(clientId: string): Promise<Revocation>;
  /** Revokes every access token signed by a key (the key is compromised). */
  revokeKid(kid: string): Promise<Revocation>;
  isRevoked(claims: RevocableClaims): Promise<boolean>;
  /** Entries held in this process's mirror (each a few hundred bytes at most). */
  entries(): number;
}

const PAGE = 1000;

/**
 * A denylist over a store.
 *
 * @example
 * const denylist = createDenylist({ store, maxTokenLifetimeMs: 15 * 60_000 });
 * await denylist.revokeToken({ jti: claims.jti, exp: claims.exp });
 * if (await denylist.isRevoked(claims)) return { active: false };
 */
export function createDenylist(options: DenylistOptions): Denylist {
  const { store } = options;
  const now = options.now ?? Date.now;
  const tolerance = options.clockToleranceMs ?? 60_000;
  const coverMs = (options.maxTokenLifetimeMs ?? 15 * 60_000) + tolerance;
  const syncInterval = options.syncIntervalMs ?? 1000;
  const purgeInterval = options.purgeIntervalMs ?? 60_000;

  // The mirror: the entries as the feed sends them (NumericDates), in the protocol's list.
  const mirror = new RevocationList();
  const seconds = (ms: number) => ms / 1000;
  let cursor = 0;
  let syncedAt = Number.NEGATIVE_INFINITY;
  let purgedAt = Number.NEGATIVE_INFINITY;
  let syncing: Promise<void> | undefined;

  const apply = (entry: Revocation) => mirror.add(encodeRevocation(entry), seconds(now()));
  const sync = async () => {
    const at = now();
    for (;;) {
      const page = await store.listRevocations(cursor, at, PAGE);
      for (const entry of page) apply(entry);
      cursor = page.at(-1)?.seq ?? cursor;
      if (page.length < PAGE) break;
    }
    syncedAt = at;
    // An expired entry left a while longer changes no answer (its tokens are refused for exp).
    if (at - purgedAt >= purgeInterval) {
      mirror.purge(seconds(at));
      purgedAt = at;
    }
  };
  // Distributed mode: another instance's revocation is pulled at once instead of within a second.
  store.watchRevocations?.(() => {
    syncedAt = Number.NEGATIVE_INFINITY;
  });
  const fresh = async () => {
    if (now() - syncedAt < syncInterval) return;
    syncing ??= sync().finally(() => {
      syncing = undefined;
    });
    await syncing;
  };
  const add = async (kind: RevocationKind, value: string, expiresAt: number, issuedBefore: number | null) => {
    const entry = await store.addRevocation({ kind, value, issuedBefore, expiresAt, createdAt: now() });
    apply(entry);
    return entry;
  };

  const api: Denylist = {
    revokeToken: ({ jti, exp }) => add('jti', jti, exp * 1000 + tolerance, null),
    revokeSession: (sid) => add('sid', sid, now() + coverMs, null),
    revokeUser: (userId) => {
      const at = now();
      return add('user', userId, at + coverMs, at);
    },
    revokeClient: (clientId) => {
      const at = now();
      return add('client', clientId, at + coverMs, at);
    },
    revokeKid: (kid) => add('kid', kid, now() + coverMs, null),
    async isRevoked(claims: RevocableClaims) {
      // Fail closed: while revocations from other instances may be missed (Redis down), refuse.
      if (store.revocationsLive?.() === false) return true;
      await fresh();
      // THE rule (@sesame/protocol): a token from the revocation's own second counts as before it,
      // a token without iat cannot prove it is newer.
      const kid = typeof claims.kid === 'string' ? claims.kid : undefined;
      return mirror.revokedBy(claims, kid) !== undefined;
    },
    entries: () => mirror.size,
  };
  return Object.freeze(api);
}
