import { type Algorithm, algorithmSpec } from './algorithms.js';
import { base64urlDecode } from './base64url.js';
import { JwtError } from './errors.js';
import { importJWK, type JWK, thumbprint } from './jwk.js';
import { checkSignature, type JwsHeader, parseCompact } from './jws.js';
import type { Key } from './keys.js';
import { parseJsonObject } from './lib/json.js';

/** JWK members that only a private (or secret) key has (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * Keys imported from proofs with their thumbprints, by alg and JWK text; cleared outright when full
 * (bounded memory). The same text always gives the same key and the same thumbprint.
 */
const imported = new Map<string, { key: Key; thumbprint: string }>();
const MAX_IMPORTED = 1000;

export interface VerifyEmbeddedJwkOptions {
  /**
   * The allow-list: asymmetric algorithms only. A JWS that carries its own key proves only that its
   * sender holds that key; with a shared secret (HS*) the "key" in the header would be the secret.
   */
  algorithms: readonly Algorithm[];
  /** The header `typ` required, compared case-insensitively (RFC 7515 §4.1.9): `dpop+jwt` for RFC 9449. */
  typ: string;
  /** Maximum size in bytes (default 8 KiB: a proof is a few hundred bytes, an RSA one about 1.5 KiB). */
  maxTokenSize?: number;
}

/** A JWS verified under the public key its own header carries. */
export interface EmbeddedJwkResult {
  header: JwsHeader;
  /** The payload, a JSON object (no claim is checked here: that is the caller's protocol). */
  payload: Record<string, unknown>;
  /** The public JWK of the header, as sent. */
  jwk: JWK;
  /** Its RFC 7638 SHA-256 thumbprint: what a token bound to this key names (`cnf.jkt`). */
  thumbprint: string;
}

/**
 * Verifies a compact JWS signed by the key in its own `jwk` header (RFC 7515 §4.1.3): the shape of a
 * DPoP proof (RFC 9449 §4.2–§4.3 points 2–7). Checks, in order: the size and the three parts, the
 * `alg` against the allow-list (never `none`, never HMAC), the `typ`, a `jwk` that is a JSON object
 * holding no private member, its import for that `alg` (kty and curve must fit), the signature, and
 * that the payload is a JSON object. Throws a JwtError (`ERR_JWS_INVALID`, `ERR_JOSE_ALG_NOT_ALLOWED`,
 * `ERR_JWK_INVALID`, `ERR_JWS_SIGNATURE`, `ERR_JWT_INVALID`, `ERR_JWT_TOO_LARGE`).
 *
 * @example
 * const { payload, thumbprint } = verifyEmbeddedJwk(proof, { algorithms: ['ES256'], typ: 'dpop+jwt' });
 */
export function verifyEmbeddedJwk(token: string, options: VerifyEmbeddedJwkOptions): EmbeddedJwkResult {
  const { algorithms, typ, maxTokenSize = 8 * 1024 } = options;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new JwtError('ERR_OPTION_INVALID', 'algorithms must be a non-empty allow-list');
  }
  for (const alg of algorithms) {
    const spec = algorithmSpec(alg);
    if (spec === undefined || spec.family === 'HMAC') {
      throw new JwtError('ERR_OPTION_INVALID', 'only asymmetric algorithms verify under an embedded key');
    }
  }
  const parsed = parseCompact(token, { algorithms: new Set(algorithms), maxTokenSize, crit: [] });
  const { header } = parsed;
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== typ.toLowerCase()) {
    throw new JwtError('ERR_JWS_INVALID', `the header typ must be ${typ}`);
  }
  const jwk = header.jwk as JWK | undefined;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new JwtError('ERR_JWK_INVALID', 'the header has no jwk');
  }
  // RFC 9449 §4.3 point 7: "the jwk JOSE Header Parameter does not contain a private key".
  if (PRIVATE_MEMBERS.some((name) => jwk[name] !== undefined)) {
    throw new JwtError('ERR_JWK_INVALID', 'the header jwk holds private key material');
  }
  // A client signs every proof with the same key: the import and the thumbprint (the costly parts
  // after the signature) are remembered by the exact JWK text and alg.
  const cacheKey = `${header.alg}\0${JSON.stringify(jwk)}`;
  let known = imported.get(cacheKey);
  if (known === undefined) {
    const key = importJWK(jwk, header.alg as Algorithm);
    known = { key, thumbprint: thumbprint(jwk) };
    if (imported.size >= MAX_IMPORTED) imported.clear();
    imported.set(cacheKey, known);
  }
  checkSignature(parsed, known.key);
  const payload = parseJsonObject(base64urlDecode(parsed.payloadSegment, 'the payload'));
  if (payload === undefined) throw new JwtError('ERR_JWT_INVALID', 'the payload is not a JSON object');
  return { header, payload, jwk, thumbprint: known.thumbprint };
}
