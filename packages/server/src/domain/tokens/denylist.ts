/**
 * The access-token denylist. A JWT stays valid until `exp`, so revoking one before that means
 * remembering it (RFC 7009 §2.2 leaves this to the server): by `jti` (one token), by `sid` (every
 * token of a session), by user or by client ("their tokens issued before T"), or by signing key
 * (`kid`: every token it signed, for a compromised key). Entries live in the store — the same
 * rows the guards' revocation feed serves — and expire when the last token they cover has.
 * `isRevoked` is on the hot path (the bearer guard, introspection), so it answers from an in-memory
 * mirror of the feed, caught up with the store at most every `syncIntervalMs`; this process's own
 * revocations are applied to the mirror at once.
 */
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
}

/** The claims `isRevoked` looks at (numbers in seconds, as in the JWT). */
export interface RevocableClaims {
  jti?: unknown;
  sid?: unknown;
  sub?: unknown;
  client_id?: unknown;
  iat?: unknown;
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

  // The mirror: value → expiry (and for users and clients, the latest issuedBefore).
  const jtis = new Map<string, number>();
  const sids = new Map<string, number>();
  const kids = new Map<string, number>();
  const users = new Map<string, { issuedBefore: number; expiresAt: number }>();
  const clients = new Map<string, { issuedBefore: number; expiresAt: number }>();
  const byValue = { jti: jtis, sid: sids, kid: kids } as const;
  const before = { user: users, client: clients } as const;
  let cursor = 0;
  let syncedAt = Number.NEGATIVE_INFINITY;
  let syncing: Promise<void> | undefined;

  const apply = (entry: Revocation) => {
    if (entry.kind === 'jti' || entry.kind === 'sid' || entry.kind === 'kid') {
      const map = byValue[entry.kind];
      map.set(entry.value, Math.max(map.get(entry.value) ?? 0, entry.expiresAt));
    } else {
      const map = before[entry.kind];
      const known = map.get(entry.value);
      map.set(entry.value, {
        issuedBefore: Math.max(known?.issuedBefore ?? 0, entry.issuedBefore ?? entry.createdAt),
        expiresAt: Math.max(known?.expiresAt ?? 0, entry.expiresAt),
      });
    }
  };
  const sync = async () => {
    const at = now();
    for (;;) {
      const page = await store.listRevocations(cursor, at, PAGE);
      for (const entry of page) apply(entry);
      cursor = page.at(-1)?.seq ?? cursor;
      if (page.length < PAGE) break;
    }
    syncedAt = at;
    for (const map of [jtis, sids, kids])
      for (const [value, expiresAt] of map) if (expiresAt <= at) map.delete(value);
    for (const map of [users, clients])
      for (const [value, entry] of map) if (entry.expiresAt <= at) map.delete(value);
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
      const at = now();
      const live = (expiresAt: number | undefined) => expiresAt !== undefined && expiresAt > at;
      if (typeof claims.jti === 'string' && live(jtis.get(claims.jti))) return true;
      if (typeof claims.sid === 'string' && live(sids.get(claims.sid))) return true;
      if (typeof claims.kid === 'string' && live(kids.get(claims.kid))) return true;
      // iat has whole seconds: a token from the revocation's own second counts as before it, and a
      // token without iat cannot prove it is newer. Security wins over a one-second re-login.
      const issuedBefore = (entry: { issuedBefore: number; expiresAt: number } | undefined) =>
        entry !== undefined &&
        live(entry.expiresAt) &&
        (typeof claims.iat !== 'number' || claims.iat * 1000 <= entry.issuedBefore);
      if (typeof claims.sub === 'string' && issuedBefore(users.get(claims.sub))) return true;
      return typeof claims.client_id === 'string' && issuedBefore(clients.get(claims.client_id));
    },
  };
  return Object.freeze(api);
}
