import type { RevocationEntry, RevocationKind } from './revocation-feed.js';

/** The claims the match rule reads (numbers are NumericDates, as in the JWT); other types match nothing. */
export interface RevocableClaims {
  jti?: unknown;
  sid?: unknown;
  sub?: unknown;
  client_id?: unknown;
  iat?: unknown;
}

interface CutOff {
  issuedBefore: number;
  expiresAt: number;
}

/**
 * The live revocations, and THE rule that says whether a token is revoked — the server's denylist
 * and the guard both decide with this class. A token is revoked when:
 * - its `jti` is a jti entry's value, or its `sid` a sid entry's, or its header's `kid` a kid entry's;
 * - its `sub` is a user entry's value (its `client_id` a client entry's) and its `iat` is before the
 *   entry's `issued_before` — or it has no numeric `iat`, since it cannot then show it is newer.
 * Several entries for one user or client combine: the latest cut-off wins, kept until the last one
 * expires. Expiry is not part of the match: an entry lasts until every token it covers has
 * expired, so matching after that refuses only tokens refused anyway; {@link purge} drops them.
 *
 * One Map per kind: a check is at most five hash lookups whatever the number of entries.
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
  readonly #user = new Map<string, CutOff>();
  readonly #client = new Map<string, CutOff>();

  /** Number of live entries (one per kind and value). */
  get size(): number {
    return this.#jti.size + this.#sid.size + this.#kid.size + this.#user.size + this.#client.size;
  }

  /** Adds an entry unless it has already expired at `now` (seconds). Adding twice is harmless. */
  add(entry: RevocationEntry, now: number): void {
    if (entry.expires_at <= now) return;
    if (entry.kind === 'user' || entry.kind === 'client') {
      const cutOffs = entry.kind === 'user' ? this.#user : this.#client;
      const previous = cutOffs.get(entry.value);
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
   * token's header (a `kid` in the payload is not read).
   */
  revokedBy(claims: RevocableClaims, kid?: string): RevocationKind | undefined {
    const { jti, sid, sub, iat, client_id } = claims;
    if (typeof jti === 'string' && this.#jti.has(jti)) return 'jti';
    if (typeof sid === 'string' && this.#sid.has(sid)) return 'sid';
    if (typeof kid === 'string' && this.#kid.size > 0 && this.#kid.has(kid)) return 'kid';
    const before = (entry: CutOff | undefined) =>
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
