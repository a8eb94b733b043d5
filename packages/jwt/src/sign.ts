import type { Algorithm } from './algorithms.js';
import { base64urlEncode } from './base64url.js';
import type { JwtPayload } from './claims.js';
import { JwtError } from './errors.js';
import { type JwsHeader, signingSpec, signSegments } from './jws.js';
import type { Key } from './keys.js';
import { epochSeconds, toSeconds } from './lib/time.js';

export interface SignOptions {
  /** Algorithm; defaults to the one the key was imported for. */
  alg?: Algorithm;
  /** Header `kid`; defaults to the key's kid. */
  kid?: string;
  /** Header `typ` (default "JWT"); null leaves it out. */
  typ?: string | null;
  /** Further header parameters. `alg` cannot be set here. */
  header?: Record<string, unknown>;
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

/** A bound signing function from `createSigner`. */
export type Signer = (payload: JwtPayload) => string;

/**
 * Validates the options and the key once and returns a function that signs claims sets fast.
 *
 * @example
 * const signAccessToken = createSigner({ key, issuer: 'https://id.example', expiresIn: '15m', typ: 'at+jwt' });
 * const token = signAccessToken({ sub: 'u1', scope: 'quiz' });
 */
export function createSigner(options: SignOptions & { key: Key }): Signer {
  if (typeof options !== 'object' || options === null)
    throw new JwtError('ERR_OPTION_INVALID', 'options are required');
  const { key } = options;
  const spec = signingSpec(key, options.alg);
  const header = buildHeader(options, spec.alg, key.kid);
  const headerSegment = base64urlEncode(JSON.stringify(header));
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
    return signSegments(spec, key, `${headerSegment}.${base64urlEncode(body)}`);
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

function buildHeader(options: SignOptions, alg: Algorithm, keyKid: string | undefined): JwsHeader {
  const header: JwsHeader = { alg };
  const typ = options.typ === undefined ? 'JWT' : options.typ;
  if (typ !== null) {
    if (typeof typ !== 'string') throw new JwtError('ERR_OPTION_INVALID', 'typ must be a string or null');
    header.typ = typ;
  }
  const kid = options.kid ?? keyKid;
  if (kid !== undefined) {
    if (typeof kid !== 'string') throw new JwtError('ERR_OPTION_INVALID', 'kid must be a string');
    header.kid = kid;
  }
  if (options.header !== undefined) {
    if (typeof options.header !== 'object' || options.header === null) {
      throw new JwtError('ERR_OPTION_INVALID', 'header must be an object');
    }
    if ('alg' in options.header)
      throw new JwtError('ERR_OPTION_INVALID', 'set the algorithm with the alg option');
    Object.assign(header, options.header);
  }
  return header;
}

/**
 * Signs a claims set as a compact JWT (RFC 7519), synchronously.
 *
 * @example sign({ sub: 'u1' }, key, { expiresIn: '15m', issuer: 'https://id.example', audience: 'api' })
 */
export function sign(payload: JwtPayload, key: Key, options: SignOptions = {}): string {
  return createSigner({ ...options, key })(payload);
}
