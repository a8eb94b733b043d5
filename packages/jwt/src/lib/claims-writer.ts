/**
 * The claims a JWT gets when it is made: the caller's payload with `iss`, `sub`, `aud`, `jti`,
 * `iat`, `exp` and `nbf` from the options, as JSON text. Shared by signing and by encrypting an
 * unsigned JWT, so both write the same claims the same way.
 */
import type { JwtPayload } from '../claims.js';
import { JwtError } from '../errors.js';
import { epochSeconds, toSeconds } from './time.js';

/** The options that set claims (a subset of SignOptions and EncryptJwtOptions). */
export interface ClaimsToWrite {
  /** Lifetime: sets `exp` = iat + this (seconds or "15m", "7d"). */
  expiresIn?: number | string;
  /** Sets `nbf` = iat + this (seconds or "5m"; 0 for "now"). */
  notBefore?: number | string;
  issuer?: string;
  audience?: string | string[];
  subject?: string;
  jwtId?: string;
  /** `iat`: a NumericDate, a Date, or false to leave it out. Default: now. */
  issuedAt?: number | Date | false;
  /** The clock used for `iat` (default: the system clock). */
  currentDate?: () => Date;
}

/** @internal Validates the claim options once and returns the function writing a payload's JSON text. */
export function compileClaimsWriter(options: ClaimsToWrite): (payload: JwtPayload) => string {
  const fixed: JwtPayload = {};
  for (const [option, claim] of [
    ['issuer', 'iss'],
    ['subject', 'sub'],
    ['jwtId', 'jti'],
  ] as const) {
    const value = options[option];
    if (value !== undefined) {
      if (typeof value !== 'string') throw new JwtError('ERR_OPTION_INVALID', `${option} must be a string`);
      fixed[claim] = value;
    }
  }
  if (options.audience !== undefined) {
    const aud = options.audience;
    if (typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((item) => typeof item === 'string'))) {
      throw new JwtError('ERR_OPTION_INVALID', 'audience must be a string or a list of strings');
    }
    fixed.aud = aud;
  }
  const expiresIn = options.expiresIn === undefined ? undefined : toSeconds(options.expiresIn, 'expiresIn');
  const notBefore = options.notBefore === undefined ? undefined : toSeconds(options.notBefore, 'notBefore');
  const issuedAt = options.issuedAt;
  if (
    issuedAt !== undefined &&
    issuedAt !== false &&
    !(issuedAt instanceof Date) &&
    !Number.isFinite(issuedAt)
  ) {
    throw new JwtError('ERR_OPTION_INVALID', 'issuedAt must be a NumericDate, a Date or false');
  }
  const clock = options.currentDate;
  if (clock !== undefined && typeof clock !== 'function') {
    throw new JwtError('ERR_OPTION_INVALID', 'currentDate must be a function returning a Date');
  }
  const hasFixed = Object.keys(fixed).length > 0;
  // The members this signer writes after the caller's own, as JSON text made once. Building a merged
  // object per token costs more than the signature on HS256; when the payload has none of these
  // members (and no toJSON), splicing the text gives byte for byte what the merge gives.
  const fixedText = Object.entries(fixed)
    .map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`)
    .join(',');
  const written = Object.keys(fixed);
  if (issuedAt !== false) written.push('iat');
  if (expiresIn !== undefined) written.push('exp');
  if (notBefore !== undefined) written.push('nbf');

  return (payload) => {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new JwtError('ERR_OPTION_INVALID', 'the payload must be a JSON object');
    }
    const now = clock ? epochSeconds(clock()) : Math.floor(Date.now() / 1000);
    const iat =
      issuedAt === undefined
        ? now
        : issuedAt === false
          ? undefined
          : issuedAt instanceof Date
            ? epochSeconds(issuedAt)
            : issuedAt;
    const base = iat ?? now;
    let body: string | undefined;
    if (payload.toJSON === undefined && !hasAny(payload, written)) {
      // A boxed primitive (new String('a')) serializes as a primitive: only '{…}' text is spliced.
      const own: string = JSON.stringify(payload);
      if (own.charCodeAt(0) === 0x7b) {
        // Numbers are finite here, and a finite number's JSON text is its string form.
        let tail = fixedText;
        if (iat !== undefined) tail += `${tail === '' ? '' : ','}"iat":${iat}`;
        if (expiresIn !== undefined) tail += `${tail === '' ? '' : ','}"exp":${base + expiresIn}`;
        if (notBefore !== undefined) tail += `${tail === '' ? '' : ','}"nbf":${base + notBefore}`;
        body = tail === '' ? own : own === '{}' ? `{${tail}}` : `${own.slice(0, -1)},${tail}}`;
      }
    }
    if (body === undefined) {
      const claims: JwtPayload = hasFixed ? { ...payload, ...fixed } : { ...payload };
      if (iat !== undefined) claims.iat = iat;
      if (expiresIn !== undefined) claims.exp = base + expiresIn;
      if (notBefore !== undefined) claims.nbf = base + notBefore;
      body = JSON.stringify(claims);
    }
    return body;
  };
}

/** True when the payload has any of the named members, even one set to undefined (it keeps a place). */
function hasAny(payload: JwtPayload, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (payload[name] !== undefined || Object.hasOwn(payload, name)) return true;
  }
  return false;
}
