/**
 * The kinds of revocation the feed carries: one token (`jti`), a session (`sid`), a user's or a
 * client's tokens issued before a time (`user`, `client`), every token a signing key signed (`kid`).
 */
export type RevocationKind = 'jti' | 'sid' | 'user' | 'client' | 'kid';

export const REVOCATION_KINDS: readonly RevocationKind[] = Object.freeze([
  'jti',
  'sid',
  'user',
  'client',
  'kid',
]);

/**
 * One entry of the revocation feed as it travels (JSON pages and Server-Sent Events alike). Times
 * are NumericDates (seconds), as in the tokens they cover. See {@link RevocationList} for the rule.
 */
export interface RevocationEntry {
  seq: number;
  kind: RevocationKind;
  value: string;
  /** Kinds `user` and `client` only: their tokens with `iat` < this are revoked. */
  issued_before?: number;
  /** Every token the entry covers has expired by then: the entry may be dropped. */
  expires_at: number;
}

/** A revocation as the server stores it: times in milliseconds. */
export interface RevocationRecord {
  seq: number;
  kind: RevocationKind;
  value: string;
  /** Kinds `user` and `client`: the moment of the revocation (ms); `createdAt` when null. */
  issuedBefore?: number | null;
  expiresAt: number;
  createdAt: number;
}

const MAX_VALUE_LENGTH = 1024;
const KINDS: ReadonlySet<string> = new Set(REVOCATION_KINDS);

/**
 * The wire form of a stored revocation. A cut-off at millisecond T revokes every token issued up to
 * and including T; `iat` has whole seconds, so a token from T's own second must be covered (it may
 * have been issued a moment before the revocation, and nothing shows it was not): `issued_before` =
 * floor(T / 1000) + 1, and `iat < issued_before` is revoked. Security wins over a one-second re-login.
 * `expires_at` is rounded up: an entry never ends before the last token it covers.
 *
 * @example encodeRevocation({ seq: 1, kind: 'user', value: 'u1', issuedBefore: 1_700_000_000_500, expiresAt: 1_700_000_960_000, createdAt: 1_700_000_000_500 })
 * // { seq: 1, kind: 'user', value: 'u1', issued_before: 1_700_000_001, expires_at: 1_700_000_960 }
 */
export function encodeRevocation(record: RevocationRecord): RevocationEntry {
  const expires_at = Math.ceil(record.expiresAt / 1000);
  if (record.kind === 'user' || record.kind === 'client') {
    const cutOffMs = record.issuedBefore ?? record.createdAt;
    return {
      seq: record.seq,
      kind: record.kind,
      value: record.value,
      issued_before: Math.floor(cutOffMs / 1000) + 1,
      expires_at,
    };
  }
  return { seq: record.seq, kind: record.kind, value: record.value, expires_at };
}

/**
 * Checks an entry received from the wire; undefined when it is not one (the reader skips it).
 *
 * @example decodeRevocation(JSON.parse(event.data))
 */
export function decodeRevocation(value: unknown): RevocationEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  const { seq, kind, expires_at, issued_before } = entry;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return undefined;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  if (typeof entry.value !== 'string' || entry.value === '' || entry.value.length > MAX_VALUE_LENGTH) {
    return undefined;
  }
  if (typeof expires_at !== 'number' || !Number.isFinite(expires_at)) return undefined;
  const known = kind as RevocationKind;
  if (known === 'user' || known === 'client') {
    if (typeof issued_before !== 'number' || !Number.isFinite(issued_before)) return undefined;
    return { seq: seq as number, kind: known, value: entry.value, issued_before, expires_at };
  }
  return { seq: seq as number, kind: known, value: entry.value, expires_at };
}
