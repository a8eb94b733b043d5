/**
 * What a token says, in human words: the claims table and the warnings shown by both
 * `sesame token decode` and the /debugger page. This module is compiled twice, for Node and for the
 * browser, so it uses neither: plain data in, plain data out, the clock passed in.
 */

/** A finding about a decoded token. `code` is stable; `message` is for people. */
export interface TokenWarning {
  code:
    | 'alg-none'
    | 'unknown-alg'
    | 'no-exp'
    | 'long-lifetime'
    | 'expired'
    | 'not-yet-valid'
    | 'unknown-crit'
    | 'weak-secret';
  message: string;
}

/** One row of the claims table. */
export interface ClaimRow {
  name: string;
  value: unknown;
  /** What a registered claim means, with the RFC that defines it. */
  meaning: string | undefined;
  /** For NumericDate claims: the date and how far it is from now. */
  time: { iso: string; relative: string } | undefined;
}

/** Claims defined by RFC 7519 §4.1 and the RFCs Sesame's tokens use (RFC 9068, RFC 8693, OIDC). */
export const REGISTERED_CLAIMS: Readonly<Record<string, string>> = Object.freeze({
  iss: 'Issuer: who made the token (RFC 7519 §4.1.1)',
  sub: 'Subject: whom the token is about (RFC 7519 §4.1.2)',
  aud: 'Audience: who must accept it; others must refuse it (RFC 7519 §4.1.3)',
  exp: 'Expiration time: refused at or after this time (RFC 7519 §4.1.4)',
  nbf: 'Not before: refused before this time (RFC 7519 §4.1.5)',
  iat: 'Issued at (RFC 7519 §4.1.6)',
  jti: 'JWT ID: unique id, used to revoke or detect replay (RFC 7519 §4.1.7)',
  scope: 'Scopes granted, space-separated (RFC 9068 §2.2.3, RFC 8693 §4.2)',
  client_id: 'The OAuth client the token was issued to (RFC 9068 §2.2)',
  azp: 'Authorized party: the client the token was issued to (OpenID Connect Core §2)',
  auth_time: 'When the user authenticated (RFC 9068 §2.2.1)',
  sid: 'Session id (OpenID Connect Front-Channel Logout §3)',
  nonce: 'Value binding the token to a client session (OpenID Connect Core §2)',
  acr: 'Authentication context class (RFC 9068 §2.2.1)',
  amr: 'Authentication methods used (RFC 9068 §2.2.1)',
  cnf: 'Confirmation: the key the holder must prove (RFC 7800)',
});

/** Claims whose value is a NumericDate (seconds since the epoch). */
const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time']);

/** The algorithms Sesame signs and verifies, with the HMAC hash size (the minimum secret length). */
export const KNOWN_ALGORITHMS: Readonly<Record<string, number>> = Object.freeze({
  HS256: 32,
  HS384: 48,
  HS512: 64,
  RS256: 0,
  RS384: 0,
  RS512: 0,
  PS256: 0,
  PS384: 0,
  PS512: 0,
  ES256: 0,
  ES384: 0,
  ES512: 0,
  EdDSA: 0,
});

const DAY = 86_400;

/** A NumericDate as an ISO 8601 date without milliseconds, e.g. "2025-06-01T12:00:00Z". */
export function isoDate(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * How far `seconds` is from `now`, in the two largest units: "in 6 d 23 h", "3 min ago", "now".
 *
 * @example relativeTime(1000 + 90, 1000) // 'in 1 min 30 s'
 */
export function relativeTime(seconds: number, now: number): string {
  const delta = Math.round(seconds - now);
  if (delta === 0) return 'now';
  let rest = Math.abs(delta);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', DAY],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count} ${unit}`);
    if (parts.length === 2) break;
  }
  const text = parts.filter((part) => !part.startsWith('0 ')).join(' ');
  return delta > 0 ? `in ${text}` : `${text} ago`;
}

/** The claims table: registered claims explained, NumericDates as dates and relative times. */
export function claimRows(payload: Record<string, unknown>, now: number): ClaimRow[] {
  return Object.entries(payload).map(([name, value]) => ({
    name,
    value,
    meaning: REGISTERED_CLAIMS[name],
    time:
      TIME_CLAIMS.has(name) && typeof value === 'number' && Number.isFinite(value)
        ? { iso: isoDate(value), relative: relativeTime(value, now) }
        : undefined,
  }));
}

/**
 * The warnings for a decoded token (RFC 8725's list of what goes wrong in practice). `now` is in
 * seconds. The secret check is separate (`weakSecretReason`): it needs a secret.
 */
export function tokenWarnings(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  now: number,
): TokenWarning[] {
  const warnings: TokenWarning[] = [];
  const alg = header.alg;
  if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
    warnings.push({
      code: 'alg-none',
      message: 'alg is "none": the token is not signed, anyone can forge it',
    });
  } else if (typeof alg !== 'string' || !(alg in KNOWN_ALGORITHMS)) {
    warnings.push({ code: 'unknown-alg', message: 'the alg is not one Sesame verifies' });
  }
  const { exp, nbf, iat } = payload;
  if (typeof exp !== 'number') {
    warnings.push({ code: 'no-exp', message: 'no exp: the token never expires' });
  } else {
    const start = typeof iat === 'number' ? iat : now;
    if (exp - start > DAY) {
      warnings.push({
        code: 'long-lifetime',
        message: `lifetime over a day (${relativeTime(exp, start).replace(/^in /, '')})`,
      });
    }
    if (exp <= now) warnings.push({ code: 'expired', message: `expired ${relativeTime(exp, now)}` });
  }
  if (typeof nbf === 'number' && nbf > now) {
    warnings.push({ code: 'not-yet-valid', message: `not valid before ${isoDate(nbf)}` });
  }
  if (header.crit !== undefined) {
    const names = Array.isArray(header.crit) ? header.crit.map(String).join(', ') : String(header.crit);
    warnings.push({
      code: 'unknown-crit',
      message: `crit lists parameters verifiers must understand (${names}); Sesame understands none and refuses the token`,
    });
  }
  return warnings;
}

/** Words that make up most hand-made secrets (a short stand-in for the leaked-secret list). */
const COMMON_WORDS = [
  'secret',
  'password',
  'passwd',
  'changeme',
  'change-me',
  'example',
  'default',
  'qwerty',
  '123456',
  'letmein',
  'admin',
  'jwtkey',
  'token',
  'sesame',
];

/**
 * Why an HMAC secret is weak, or undefined when these quick checks find nothing: shorter than the
 * hash (RFC 7518 §3.2), few distinct characters, or built from a common word. The message never
 * quotes the secret.
 */
export function weakSecretReason(secret: string, alg: string): string | undefined {
  const bytes = new TextEncoder().encode(secret).length;
  const needed = KNOWN_ALGORITHMS[alg] || 32;
  if (bytes < needed) return `the secret is shorter than the hash (${bytes} of ${needed} bytes)`;
  if (new Set(secret).size < 8) return 'the secret has fewer than 8 distinct characters';
  const lower = secret.toLowerCase();
  if (COMMON_WORDS.some((word) => lower.includes(word))) return 'the secret contains a common word';
  return undefined;
}
