import type { JwtPayload } from '@sesame/jwt';

/**
 * The kinds of revocation the feed carries: one token (`jti`), a session (`sid`), a user's or a
 * client's tokens issued before a time (`user`, `client`), every token a signing key signed (`kid`).
 */
export type RevocationKind = 'jti' | 'sid' | 'user' | 'client' | 'kid';

/**
 * One entry of the revocation feed, as the server sends it (see the package README):
 * a token is revoked when its `jti` matches a jti entry, its `sid` a sid entry, its header's `kid` a
 * kid entry, or its `sub` a user entry (its `client_id` a client entry) and its `iat` <
 * `issued_before`. Times are NumericDates (seconds).
 */
export interface RevocationEntry {
  seq: number;
  kind: RevocationKind;
  value: string;
  /** Kinds `user` and `client` only: their tokens issued before this time are revoked. */
  issued_before?: number;
  /** Every token the entry covers has expired by then: the entry may be dropped. */
  expires_at: number;
}

const MAX_VALUE_LENGTH = 1024;
const KINDS: ReadonlySet<RevocationKind> = new Set(['jti', 'sid', 'user', 'client', 'kid']);

/** Checks an entry received from the wire; undefined when it is not one (it is then skipped). */
export function parseEntry(value: unknown): RevocationEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  const { seq, kind, expires_at, issued_before } = entry;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return undefined;
  if (!KINDS.has(kind as RevocationKind)) return undefined;
  if (typeof entry.value !== 'string' || entry.value === '' || entry.value.length > MAX_VALUE_LENGTH) {
    return undefined;
  }
  if (typeof expires_at !== 'number' || !Number.isFinite(expires_at)) return undefined;
  const cutOff = kind === 'user' || kind === 'client';
  if (cutOff && (typeof issued_before !== 'number' || !Number.isFinite(issued_before))) return undefined;
  const known = kind as RevocationKind;
  return cutOff
    ? {
        seq: seq as number,
        kind: known,
        value: entry.value,
        issued_before: issued_before as number,
        expires_at,
      }
    : { seq: seq as number, kind: known, value: entry.value, expires_at };
}

interface UserEntry {
  issuedBefore: number;
  expiresAt: number;
}

/**
 * The live revocations held in memory: one Map per kind, so a check is at most five hash lookups
 * whatever the number of entries (100,000 live entries cost no more per request than 10).
 *
 * @example
 * const list = new RevocationList();
 * list.add({ seq: 1, kind: 'jti', value: 'abc', expires_at: 1_900_000_000 }, nowSeconds);
 * list.revokedBy({ jti: 'abc' }) // 'jti'
 */
export class RevocationList {
  readonly #jti = new Map<string, number>();
  readonly #sid = new Map<string, number>();
  readonly #kid = new Map<string, number>();
  readonly #user = new Map<string, UserEntry>();
  readonly #client = new Map<string, UserEntry>();

  /** Number of live entries. */
  get size(): number {
    return this.#jti.size + this.#sid.size + this.#kid.size + this.#user.size + this.#client.size;
  }

  /** Adds an entry unless it has already expired at `now` (seconds). Adding twice is harmless. */
  add(entry: RevocationEntry, now: number): void {
    if (entry.expires_at <= now) return;
    if (entry.kind === 'user' || entry.kind === 'client') {
      const cutOffs = entry.kind === 'user' ? this.#user : this.#client;
      const previous = cutOffs.get(entry.value);
      // Several entries for one value combine: the latest cut-off wins, kept until the last one expires.
      cutOffs.set(entry.value, {
        issuedBefore: Math.max(previous?.issuedBefore ?? 0, entry.issued_before ?? 0),
        expiresAt: Math.max(previous?.expiresAt ?? 0, entry.expires_at),
      });
      return;
    }
    const map = entry.kind === 'jti' ? this.#jti : entry.kind === 'sid' ? this.#sid : this.#kid;
    map.set(entry.value, Math.max(map.get(entry.value) ?? 0, entry.expires_at));
  }

  /**
   * Which kind of entry revokes this token, or undefined when none does. `kid` is the `kid` of the
   * token's header (the payload does not carry it).
   */
  revokedBy(payload: JwtPayload, kid?: string): RevocationKind | undefined {
    const { jti, sid, sub, iat, client_id } = payload;
    if (typeof jti === 'string' && this.#jti.has(jti)) return 'jti';
    if (typeof sid === 'string' && this.#sid.has(sid)) return 'sid';
    if (kid !== undefined && this.#kid.size > 0 && this.#kid.has(kid)) return 'kid';
    // A token without a usable iat cannot be shown to postdate the cut-off: it is revoked.
    const before = (entry: UserEntry | undefined) =>
      entry !== undefined && !(typeof iat === 'number' && iat >= entry.issuedBefore);
    if (typeof sub === 'string' && this.#user.size > 0 && before(this.#user.get(sub))) return 'user';
    if (typeof client_id === 'string' && this.#client.size > 0 && before(this.#client.get(client_id))) {
      return 'client';
    }
    return undefined;
  }

  /** Drops the entries whose tokens have all expired at `now` (seconds); returns how many. */
  purge(now: number): number {
    let removed = 0;
    for (const map of [this.#jti, this.#sid, this.#kid]) {
      for (const [value, expiresAt] of map) {
        if (expiresAt <= now) {
          map.delete(value);
          removed++;
        }
      }
    }
    for (const map of [this.#user, this.#client]) {
      for (const [value, entry] of map) {
        if (entry.expiresAt <= now) {
          map.delete(value);
          removed++;
        }
      }
    }
    return removed;
  }

  clear(): void {
    this.#jti.clear();
    this.#sid.clear();
    this.#kid.clear();
    this.#user.clear();
    this.#client.clear();
  }
}
