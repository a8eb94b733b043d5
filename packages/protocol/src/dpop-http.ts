/**
 * The HTTP side of DPoP (RFC 9449) that a server and a guard must read alike: the one `DPoP` header,
 * the `DPoP` Authorization scheme, the `htu` a request is compared with, `ath`, the challenges.
 */
import { createHash } from 'node:crypto';
import { DpopProofError } from './dpop-errors.js';
import { ProtocolError } from './errors.js';
import { authorizationValue, refuse } from './lib/header.js';

/**
 * The proof algorithms accepted by default: every asymmetric JWS algorithm (RFC 9449 §4.2 "MUST NOT
 * be none or an identifier for a symmetric algorithm"). What the server advertises as
 * `dpop_signing_alg_values_supported` and the guard's `algs` challenge parameter.
 */
export const DPOP_ALGORITHMS = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
] as const);

/** A proof larger than this is refused unread (an RSA-4096 proof is under 2 KiB). */
export const MAX_DPOP_PROOF_LENGTH = 8 * 1024;

/** A compact JWS: three base64url segments (an empty signature is left to the alg check: `none`). */
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The one DPoP proof of a request (RFC 9449 §4.3 point 1: "There is not more than one DPoP HTTP
 * request header field"), or undefined when there is none. Node joins repeated headers with ", ",
 * which no compact JWS contains, so a comma means two proofs. Throws a DpopProofError (rule
 * `header`) for several, an oversized or a non-JWS value.
 *
 * @example dpopProofValue(request.headers.dpop) // 'eyJ0eXAiOiJkcG9wK2p3dCIs…'
 */
export function dpopProofValue(header: string | readonly string[] | undefined): string | undefined {
  const value = singleDpopHeader(header);
  if (value !== undefined && !isCompactJws(value)) throw notCompact();
  return value;
}

/**
 * @internal dpopProofValue without the shape check: the checker leaves that to its `verify`, whose
 * strict parse refuses anything but three base64url segments, and asks isCompactJws only to name
 * the rule of a refusal (a regular expression over every proof costs about a tenth of a check).
 */
export function singleDpopHeader(header: string | readonly string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string') {
    if (!Array.isArray(header)) throw new DpopProofError('header', 'the DPoP header is not a string');
    if (header.length === 0) return undefined;
    if (header.length > 1) throw new DpopProofError('header', 'more than one DPoP header');
    return singleDpopHeader(header[0] as string);
  }
  if (header.length > MAX_DPOP_PROOF_LENGTH)
    throw new DpopProofError('header', 'the DPoP header is too long');
  if (header.includes(',')) throw new DpopProofError('header', 'more than one DPoP header');
  return header;
}

/** @internal True when `value` has the shape of a compact JWS (three base64url segments). */
export function isCompactJws(value: string): boolean {
  return COMPACT.test(value);
}

/** @internal The refusal of a value that is not a compact JWS. */
export function notCompact(): DpopProofError {
  return new DpopProofError('header', 'the DPoP header is not a compact JWS');
}

/**
 * RFC 9449 §4.3 point 9: the `htu` of a request, "ignoring any query and fragment parts", after the
 * syntax- and scheme-based normalisation of RFC 3986 §6.2.2–§6.2.3 that WHATWG URL parsing does
 * (lower-case scheme and host, default port dropped, dot segments resolved, an empty path as "/").
 * Undefined for anything but an absolute http(s) URL.
 *
 * @example normaliseHtu('HTTPS://Id.Example:443/oauth/token?x=1#f') // 'https://id.example/oauth/token'
 */
export function normaliseHtu(url: unknown): string | undefined {
  if (typeof url !== 'string' || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * RFC 9449 §4.2 `ath`: the base64url SHA-256 of the access token's ASCII text.
 *
 * @example accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU') // 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo'
 */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/**
 * accessTokenHash remembering the last `size` tokens it hashed (a client repeats its token on every
 * request until it expires); the oldest is forgotten first. Same answers, fewer hashes.
 *
 * @example const ath = accessTokenHashes(1000); ath(token) === accessTokenHash(token) // true
 */
export function accessTokenHashes(size: number): (accessToken: string) => string {
  const known = new Map<string, string>();
  return (accessToken) => {
    let hash = known.get(accessToken);
    if (hash !== undefined) return hash;
    hash = accessTokenHash(accessToken);
    if (known.size >= size) known.delete(known.keys().next().value as string);
    known.set(accessToken, hash);
    return hash;
  };
}

/** RFC 9449 §7.1 token68, as RFC 6750's b64token: the same grammar as the Bearer value. */
const DPOP_SCHEME = /^dpop +([A-Za-z0-9\-._~+/]+=*)$/i;
const BEARER_SCHEME = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** An access token and the scheme it came under. */
export interface AccessTokenCredentials {
  scheme: 'Bearer' | 'DPoP';
  token: string;
}

/**
 * The access token of an Authorization header, under the Bearer (RFC 6750 §2.1) or the DPoP
 * scheme (RFC 9449 §7.1), with the errors of `parseBearer`: absent → `ERR_CREDENTIALS_MISSING`,
 * another scheme → `ERR_CREDENTIALS_SCHEME`, a broken value → `ERR_CREDENTIALS_MALFORMED`.
 *
 * @example parseAccessTokenCredentials('DPoP eyJhbGciOi...') // { scheme: 'DPoP', token: 'eyJhbGciOi...' }
 */
export function parseAccessTokenCredentials(
  header: string | readonly string[] | undefined,
): AccessTokenCredentials {
  const value = authorizationValue(header, 'Bearer');
  const dpop = DPOP_SCHEME.exec(value);
  if (dpop) return { scheme: 'DPoP', token: dpop[1] as string };
  const bearer = BEARER_SCHEME.exec(value);
  if (bearer) return { scheme: 'Bearer', token: bearer[1] as string };
  if (/^dpop(?: |$)/i.test(value)) {
    throw new ProtocolError(
      'ERR_CREDENTIALS_MALFORMED',
      'the Authorization header is not "DPoP" followed by one token',
    );
  }
  throw refuse(value, 'Bearer');
}

/** A quoted-string parameter value (RFC 9110 §5.6.4): a backslash or a quote is escaped. */
const quoted = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * The `WWW-Authenticate: DPoP` challenge of RFC 9449 §7.1, with `algs` (the accepted proof
 * algorithms) and, for a refusal, `error` and `error_description`.
 *
 * @example dpopChallenge({ realm: 'api', error: 'invalid_dpop_proof', description: 'the proof is stale' })
 * // 'DPoP realm="api", error="invalid_dpop_proof", error_description="the proof is stale", algs="ES256 …"'
 */
export function dpopChallenge(options: {
  realm?: string;
  error?: string;
  description?: string;
  algorithms?: readonly string[];
}): string {
  const parts: string[] = [];
  if (options.realm !== undefined) parts.push(`realm=${quoted(options.realm)}`);
  if (options.error !== undefined) parts.push(`error=${quoted(options.error)}`);
  if (options.description !== undefined) parts.push(`error_description=${quoted(options.description)}`);
  parts.push(`algs=${quoted((options.algorithms ?? DPOP_ALGORITHMS).join(' '))}`);
  return `DPoP ${parts.join(', ')}`;
}

/**
 * RFC 9449 §7.1, the scheme rule of a resource server: a token bound to a key (`cnf.jkt`, §6.1)
 * is only accepted under the DPoP scheme, with a proof by that key; a token bound to nothing is
 * not accepted under the DPoP scheme. Returns the thumbprint the proof must match, or undefined for
 * an unbound token presented as Bearer. Throws a DpopProofError (rule `scheme`: invalid_token).
 *
 * @example const jkt = boundThumbprint(credentials.scheme, claims.cnf); // then check the proof with it
 */
export function boundThumbprint(scheme: AccessTokenCredentials['scheme'], cnf: unknown): string | undefined {
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
  if (
    cnf !== undefined &&
    (typeof cnf !== 'object' || cnf === null || (jkt !== undefined && typeof jkt !== 'string'))
  ) {
    throw new DpopProofError('scheme', 'the access token has an invalid confirmation claim');
  }
  if (typeof jkt === 'string') {
    if (scheme !== 'DPoP') {
      throw new DpopProofError(
        'scheme',
        'the access token is DPoP-bound: present it with the DPoP scheme and a proof',
      );
    }
    return jkt;
  }
  if (scheme === 'DPoP') throw new DpopProofError('scheme', 'the access token is not DPoP-bound');
  return undefined;
}
