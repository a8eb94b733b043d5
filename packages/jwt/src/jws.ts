import type { Buffer } from 'node:buffer';
import { type Algorithm, type AlgorithmSpec, algorithmSpec } from './algorithms.js';
import { base64urlDecode, base64urlEncode, isBase64url } from './base64url.js';
import { JwtError } from './errors.js';
import { assertKeyFits, Key } from './keys.js';
import { checkCrit, JWS_REGISTERED } from './lib/crit.js';
import { parseJsonObject } from './lib/json.js';
import { signInput, verifyInput } from './lib/signature.js';

/** A JWS protected header (RFC 7515 §4). */
export interface JwsHeader {
  alg: string;
  typ?: string;
  kid?: string;
  cty?: string;
  crit?: string[];
  [parameter: string]: unknown;
}

/** Default maximum token size in bytes (16 KiB), checked before anything is decoded. */
export const DEFAULT_MAX_TOKEN_SIZE = 16 * 1024;

/** The parts of a compact JWS, split and with the header decoded and checked. */
export interface ParsedJws {
  header: JwsHeader;
  spec: AlgorithmSpec;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`, exactly as received. */
  signingInput: string;
  payloadSegment: string;
  signatureSegment: string;
}

/** @internal Options that shape parsing. */
export interface ParseOptions {
  maxTokenSize: number;
  /** Critical header parameters the caller understands (RFC 7515 §4.1.11). */
  crit: readonly string[];
  /** The allow-list; the header's alg must be in it. */
  algorithms: ReadonlySet<string>;
}

/**
 * @internal Splits a compact JWS and checks its header. The header of one issuer repeats in every
 * token, so a verifier passes a cache: a header segment seen before costs one Map lookup.
 */
export function parseCompact(
  token: unknown,
  options: ParseOptions,
  cache?: Map<string, JwsHeader>,
  cacheSize = 64,
): ParsedJws {
  if (typeof token !== 'string') throw new JwtError('ERR_JWS_INVALID', 'the token must be a string');
  if (token.length > options.maxTokenSize) throw new JwtError('ERR_JWT_TOO_LARGE', 'the token is too large');
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) !== -1) {
    throw new JwtError('ERR_JWS_INVALID', 'the token is not a compact JWS (three parts)');
  }
  const headerSegment = token.slice(0, first);
  let header = cache?.get(headerSegment);
  if (header === undefined) {
    header = decodeHeader(headerSegment, options.crit);
    if (cache) {
      if (cache.size >= cacheSize) cache.clear();
      cache.set(headerSegment, header);
    }
  }
  const spec = algorithmSpec(header.alg);
  if (spec === undefined || !options.algorithms.has(header.alg)) {
    throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'the token algorithm is not allowed');
  }
  return {
    header,
    spec,
    signingInput: token.slice(0, second),
    payloadSegment: token.slice(first + 1, second),
    signatureSegment: token.slice(second + 1),
  };
}

/** @internal Decodes and checks a protected header. The result is frozen: it may be cached. */
export function decodeHeader(segment: string, understood: readonly string[]): JwsHeader {
  const bytes = base64urlDecode(segment, 'the header');
  const header = parseJsonObject(bytes) as JwsHeader | undefined;
  if (header === undefined) throw new JwtError('ERR_JWS_INVALID', 'the header is not a JSON object');
  if (typeof header.alg !== 'string') throw new JwtError('ERR_JWS_INVALID', 'the header has no alg');
  if (header.b64 !== undefined && header.b64 !== true) {
    // RFC 7797 unencoded payloads change what is signed; Sesame refuses them.
    throw new JwtError('ERR_JOSE_NOT_SUPPORTED', 'unencoded payloads (b64: false) are not supported');
  }
  checkCrit(header, JWS_REGISTERED, understood, 'ERR_JWS_INVALID');
  for (const name of ['kid', 'typ', 'cty'] as const) {
    if (header[name] !== undefined && typeof header[name] !== 'string') {
      throw new JwtError('ERR_JWS_INVALID', `the header ${name} must be a string`);
    }
  }
  return Object.freeze(header);
}

/** @internal Checks the signature of a parsed JWS with one key. */
export function checkSignature(parsed: ParsedJws, key: Key): void {
  assertKeyFits(key, parsed.spec);
  const segment = parsed.signatureSegment;
  if (!isBase64url(segment) || segment.length === 0) {
    throw new JwtError('ERR_JWS_SIGNATURE', 'the signature is malformed');
  }
  if (!verifyInput(parsed.spec, key, parsed.signingInput, segment)) {
    throw new JwtError('ERR_JWS_SIGNATURE', 'the signature does not verify');
  }
}

/** @internal Signs `headerSegment.payloadSegment`. */
export function signSegments(spec: AlgorithmSpec, key: Key, signingInput: string): string {
  return `${signingInput}.${signInput(spec, key, signingInput)}`;
}

/** @internal Resolves the algorithm to sign with and checks it against the key. */
export function signingSpec(key: Key, alg: string | undefined): AlgorithmSpec {
  if (!(key instanceof Key)) throw new JwtError('ERR_OPTION_INVALID', 'the key must come from importKey');
  if (key.type === 'public') throw new JwtError('ERR_OPTION_INVALID', 'a public key cannot sign');
  const spec = algorithmSpec(alg ?? key.alg);
  if (!spec) throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'unsupported algorithm');
  assertKeyFits(key, spec);
  return spec;
}

/**
 * Signs arbitrary bytes as a compact JWS (RFC 7515 §7.1). The header gets `alg` from the key unless
 * given; for JWTs use `sign`.
 *
 * @example signJws(Buffer.from('foo'), key, { kid: 'k1' }) // 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.Zm9v.…'
 */
export function signJws(payload: Uint8Array | string, key: Key, header: Partial<JwsHeader> = {}): string {
  const spec = signingSpec(key, header.alg);
  const full = { ...header, alg: spec.alg };
  return signSegments(spec, key, `${base64urlEncode(JSON.stringify(full))}.${base64urlEncode(payload)}`);
}

export interface VerifyJwsOptions {
  /** The allow-list of algorithms. Required: the token never chooses its own. */
  algorithms: readonly Algorithm[];
  /** Maximum token size in bytes (default 16 KiB). */
  maxTokenSize?: number;
  /** Critical header parameters the caller processes itself. */
  crit?: readonly string[];
}

/**
 * Verifies a compact JWS over arbitrary bytes and returns its header and payload bytes.
 *
 * @example const { payload } = verifyJws(token, key, { algorithms: ['ES256'] });
 */
export function verifyJws(
  token: string,
  key: Key | { select(header: JwsHeader): readonly Key[] },
  options: VerifyJwsOptions,
): { header: JwsHeader; payload: Buffer } {
  const parsed = parseCompact(token, parseOptions(options));
  const payload = base64urlDecode(parsed.payloadSegment, 'the payload');
  verifyWithKeys(parsed, key);
  return { header: parsed.header, payload };
}

/** @internal Tries the key, or the key set's candidates, until one verifies. */
export function verifyWithKeys(
  parsed: ParsedJws,
  key: Key | { select(header: JwsHeader): readonly Key[] },
): Key {
  if (key instanceof Key) {
    checkSignature(parsed, key);
    return key;
  }
  if (typeof key?.select !== 'function')
    throw new JwtError('ERR_OPTION_INVALID', 'a Key or a key set is required');
  return tryCandidates(parsed, key.select(parsed.header));
}

/** @internal */
export function tryCandidates(parsed: ParsedJws, candidates: readonly Key[]): Key {
  if (candidates.length === 0) throw new JwtError('ERR_JWKS_NO_MATCH', 'no key matches the token');
  let failure: unknown;
  for (const candidate of candidates) {
    try {
      checkSignature(parsed, candidate);
      return candidate;
    } catch (error) {
      failure = error;
    }
  }
  if (candidates.length > 1 && (failure as JwtError)?.code === 'ERR_JWS_SIGNATURE') {
    throw new JwtError('ERR_JWKS_MULTIPLE_MATCHES', 'several keys match the token and none verifies');
  }
  throw failure;
}

/** @internal Validates the options shared by every verifying function. */
export function parseOptions(options: VerifyJwsOptions): ParseOptions {
  if (typeof options !== 'object' || options === null) {
    throw new JwtError('ERR_OPTION_INVALID', 'options with an algorithms allow-list are required');
  }
  const { algorithms, maxTokenSize = DEFAULT_MAX_TOKEN_SIZE, crit = [] } = options;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new JwtError('ERR_OPTION_INVALID', 'algorithms must be a non-empty allow-list');
  }
  for (const alg of algorithms) {
    if (!algorithmSpec(alg))
      throw new JwtError('ERR_OPTION_INVALID', `unsupported algorithm in the allow-list`);
  }
  if (!Number.isInteger(maxTokenSize) || maxTokenSize <= 0) {
    throw new JwtError('ERR_OPTION_INVALID', 'maxTokenSize must be a positive integer');
  }
  if (!Array.isArray(crit) || crit.some((name) => typeof name !== 'string')) {
    throw new JwtError('ERR_OPTION_INVALID', 'crit must be a list of names');
  }
  return { algorithms: new Set(algorithms), maxTokenSize, crit };
}
