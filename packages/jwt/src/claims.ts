import { JwtError } from './errors.js';
import type { JwsHeader } from './jws.js';
import { epochSeconds, toSeconds } from './lib/time.js';

/** A JWT claims set (RFC 7519 §4). */
export interface JwtPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

/** The claim checks of `verify` (RFC 7519 §4.1, RFC 8725 §3). */
export interface ClaimOptions {
  /** Expected `iss`: exact match, or any of a list. */
  issuer?: string | readonly string[];
  /** Expected `aud`: the token's `aud` (a string or a list) must contain one of these. */
  audience?: string | readonly string[];
  /** Expected `sub`, exact. */
  subject?: string;
  /** Expected header `typ`, compared case-insensitively and without "application/" (RFC 8725 §3.11). */
  typ?: string;
  /** Leeway for `exp`, `nbf` and `iat` in seconds or as a duration ("30s"). Default 0. */
  clockTolerance?: number | string;
  /** Reject tokens whose `iat` is older than this (seconds or "1h"); makes `iat` required. */
  maxTokenAge?: number | string;
  /** Claims that must be present. */
  requiredClaims?: readonly string[];
  /** The current time: a Date, or a function returning one (for long-lived verifiers in tests). */
  currentDate?: Date | (() => Date);
}

/** @internal A compiled claims check: options validated once, applied per token. */
export type ClaimsCheck = (payload: JwtPayload, header: JwsHeader) => void;

function list(value: string | readonly string[] | undefined, option: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.length === 0 || items.some((item) => typeof item !== 'string')) {
    throw new JwtError('ERR_OPTION_INVALID', `${option} must be a string or a non-empty list of strings`);
  }
  return items;
}

/** Media type comparison of RFC 7515 §4.1.9: case-insensitive, "application/" optional. */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice(12) : lower;
}

function claimError(code: 'ERR_JWT_CLAIM_INVALID', claim: string, message: string): JwtError {
  return new JwtError(code, message, claim);
}

/** @internal Validates the options once and returns the per-token check. */
export function compileClaims(options: ClaimOptions): ClaimsCheck {
  const issuers = list(options.issuer, 'issuer');
  const audiences = list(options.audience, 'audience');
  if (options.subject !== undefined && typeof options.subject !== 'string') {
    throw new JwtError('ERR_OPTION_INVALID', 'subject must be a string');
  }
  if (options.typ !== undefined && typeof options.typ !== 'string') {
    throw new JwtError('ERR_OPTION_INVALID', 'typ must be a string');
  }
  const subject = options.subject;
  const typ = options.typ === undefined ? undefined : normalizeTyp(options.typ);
  const tolerance =
    options.clockTolerance === undefined ? 0 : toSeconds(options.clockTolerance, 'clockTolerance');
  const maxAge =
    options.maxTokenAge === undefined ? undefined : toSeconds(options.maxTokenAge, 'maxTokenAge');
  const requiredClaims = options.requiredClaims;
  if (
    requiredClaims !== undefined &&
    (!Array.isArray(requiredClaims) || requiredClaims.some((c) => typeof c !== 'string'))
  ) {
    throw new JwtError('ERR_OPTION_INVALID', 'requiredClaims must be a list of claim names');
  }
  const required = new Set<string>(requiredClaims ?? []);
  if (maxAge !== undefined) required.add('iat');
  if (issuers) required.add('iss');
  if (audiences) required.add('aud');
  if (subject !== undefined) required.add('sub');
  const currentDate = options.currentDate;
  if (currentDate !== undefined && !(currentDate instanceof Date) && typeof currentDate !== 'function') {
    throw new JwtError('ERR_OPTION_INVALID', 'currentDate must be a Date or a function');
  }
  const requiredList = [...required];

  return (payload, header) => {
    if (typ !== undefined && (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== typ)) {
      throw claimError('ERR_JWT_CLAIM_INVALID', 'typ', 'unexpected token type');
    }
    for (const claim of requiredList) {
      if (payload[claim] === undefined) {
        const code =
          claim === 'iss' ? 'ERR_JWT_ISSUER' : claim === 'aud' ? 'ERR_JWT_AUDIENCE' : 'ERR_JWT_CLAIM_INVALID';
        throw new JwtError(code, `the ${claim} claim is missing`, claim);
      }
    }
    const { iss, sub, aud, jti, exp, nbf, iat } = payload;
    // Type checks run whether or not a value is expected: a claim of the wrong type is never ignored.
    if (iss !== undefined && typeof iss !== 'string')
      throw new JwtError('ERR_JWT_ISSUER', 'iss must be a string', 'iss');
    if (sub !== undefined && typeof sub !== 'string')
      throw claimError('ERR_JWT_CLAIM_INVALID', 'sub', 'sub must be a string');
    if (jti !== undefined && typeof jti !== 'string')
      throw claimError('ERR_JWT_CLAIM_INVALID', 'jti', 'jti must be a string');
    if (aud !== undefined && typeof aud !== 'string' && !isStringList(aud)) {
      throw new JwtError('ERR_JWT_AUDIENCE', 'aud must be a string or a list of strings', 'aud');
    }
    for (const [name, value] of [
      ['exp', exp],
      ['nbf', nbf],
      ['iat', iat],
    ] as const) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw claimError('ERR_JWT_CLAIM_INVALID', name, `${name} must be a NumericDate`);
      }
    }
    if (issuers && !issuers.includes(iss as string))
      throw new JwtError('ERR_JWT_ISSUER', 'unexpected issuer', 'iss');
    if (audiences && !matchesAudience(aud as string | string[], audiences)) {
      throw new JwtError('ERR_JWT_AUDIENCE', 'unexpected audience', 'aud');
    }
    if (subject !== undefined && sub !== subject)
      throw claimError('ERR_JWT_CLAIM_INVALID', 'sub', 'unexpected subject');
    const now = epochSeconds(
      currentDate === undefined
        ? new Date()
        : typeof currentDate === 'function'
          ? currentDate()
          : currentDate,
    );
    // RFC 7519 §4.1.4: the current time MUST be before exp.
    if (exp !== undefined && exp <= now - tolerance)
      throw new JwtError('ERR_JWT_EXPIRED', 'the token has expired', 'exp');
    if (nbf !== undefined && nbf > now + tolerance) {
      throw new JwtError('ERR_JWT_NOT_YET_VALID', 'the token is not valid yet', 'nbf');
    }
    if (iat !== undefined && iat > now + tolerance)
      throw new JwtError('ERR_JWT_NOT_YET_VALID', 'iat is in the future', 'iat');
    if (maxAge !== undefined && now - (iat as number) > maxAge + tolerance) {
      throw new JwtError('ERR_JWT_EXPIRED', 'the token is older than the maximum age', 'iat');
    }
  };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function matchesAudience(aud: string | string[], expected: readonly string[]): boolean {
  if (typeof aud === 'string') return expected.includes(aud);
  for (const item of aud) if (expected.includes(item)) return true;
  return false;
}
