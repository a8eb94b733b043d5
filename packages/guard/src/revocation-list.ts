import type { JwtPayload } from '@sesame/jwt';

/** The kinds of revocation the feed carries. */
export type RevocationKind = 'jti' | 'sid' | 'user';

/**
 * One entry of the revocation feed, as the server sends it (see the package README):
 * a token is revoked when its `jti` matches a jti entry, its `sid` a sid entry, or its `sub` a user
 * entry and its `iat` < `issued_before`. Times are NumericDates (seconds).
 */
export interface RevocationEntry {
  seq: number;
  kind: RevocationKind;
  value: string;
  /** Kind `user` only: tokens of the user issued before this time are revoked. */
  issued_before?: number;
  /** Every token the entry covers has expired by then: the entry may be dropped. */
  expires_at: number;
}

const MAX_VALUE_LENGTH = 1024;

/** Checks an entry received from the wire; undefined when it is not one (it is then skipped). */
export function parseEntry(value: unknown): RevocationEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  const { seq, kind, expires_at, issued_before } = entry;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return undefined;
  if (kind !== 'jti' && kind !== 'sid' && kind !== 'user') return undefined;
  if (typeof entry.value !== 'string' || entry.value === '' || entry.value.length > MAX_VALUE_LENGTH) {
    return undefined;
  }
  if (typeof expires_at !== 'number' || !Number.isFinite(expires_at)) return undefined;
  if (kind === 'user' && (typeof issued_before !== 'number' || !Number.isFinite(issued_before))) {
    return undefined;
  }
  return kind === 'user'
    ? { seq: seq as number, kind, value: entry.value, issued_before: issued_before as number, expires_at }
    : { seq: seq as number, kind, value: entry.value, expires_at };
}

interface UserEntry {
  issuedBefore: number;
  expiresAt: number;
}

/**
 * The live revocations held in memory: three Maps, so a check is at most three hash lookups
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
  readonly #user = new Map<string, UserEntry>();

  /** Number of live entries. */
  get size(): number {
    return this.#jti.size + this.#sid.size + this.#user.size;
  }

  /** Adds an entry unless it has already expired at `now` (seconds). Adding twice is harmless. */
  add(entry: RevocationEntry, now: number): void {
    if (entry.expires_at <= now) return;
    if (entry.kind === 'user') {
      const previous = this.#user.get(entry.value);
      // Several user entries combine: the latest cut-off wins, kept until the last one expires.
      this.#user.set(entry.value, {
        issuedBefore: Math.max(previous?.issuedBefore ?? 0, entry.issued_before ?? 0),
        expiresAt: Math.max(previous?.expiresAt ?? 0, entry.expires_at),
      });
      return;
    }
    const map = entry.kind === 'jti' ? this.#jti : this.#sid;
    map.set(entry.value, Math.max(map.get(entry.value) ?? 0, entry.expires_at));
  }

  /** Which kind of entry revokes this token, or undefined when none does. */
  revokedBy(payload: JwtPayload): RevocationKind | undefined {
    const { jti, sid, sub, iat } = payload;
    if (typeof jti === 'string' && this.#jti.has(jti)) return 'jti';
    if (typeof sid === 'string' && this.#sid.has(sid)) return 'sid';
    if (typeof sub === 'string' && this.#user.size > 0) {
      const user = this.#user.get(sub);
      // A token without a usable iat cannot be shown to postdate the cut-off: it is revoked.
      if (user !== undefined && !(typeof iat === 'number' && iat >= user.issuedBefore)) return 'user';
    }
    return undefined;
  }

  /** Drops the entries whose tokens have all expired at `now` (seconds); returns how many. */
  purge(now: number): number {
    let removed = 0;
    for (const map of [this.#jti, this.#sid]) {
      for (const [value, expiresAt] of map) {
        if (expiresAt <= now) {
          map.delete(value);
          removed++;
        }
      }
    }
    for (const [value, entry] of this.#user) {
      if (entry.expiresAt <= now) {
        this.#user.delete(value);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.#jti.clear();
    this.#sid.clear();
    this.#user.clear();
  }
}
