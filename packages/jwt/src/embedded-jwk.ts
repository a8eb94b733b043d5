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
 * A client sends the same protected header (typ, alg, its jwk) with every proof, so the header is
 * decoded and checked once per exact segment text (parseCompact's cache, at most MAX_KNOWN, cleared
 * outright when full), and the key it imports to and its thumbprint are kept beside that header
 * object (dropped with it). The same text always gives the same header, key and thumbprint; what
 * depends on the caller (the alg allow-list, the typ) is still checked on every call.
 */
const headers = new Map<string, JwsHeader>();
const imported = new WeakMap<JwsHeader, { key: Key; thumbprint: string }>();
const MAX_KNOWN = 1000;

/** Allow-lists already checked, by identity: a caller passes the same frozen list every time. */
const allowLists = new WeakMap<readonly Algorithm[], ReadonlySet<string>>();

function allowList(algorithms: readonly Algorithm[]): ReadonlySet<string> {
  let set = allowLists.get(algorithms);
  if (set !== undefined) return set;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new JwtError('ERR_OPTION_INVALID', 'algorithms must be a non-empty allow-list');
  }
  for (const alg of algorithms) {
    const spec = algorithmSpec(alg);
    if (spec === undefined || spec.family === 'HMAC') {
      throw new JwtError('ERR_OPTION_INVALID', 'only asymmetric algorithms verify under an embedded key');
    }
  }
  set = new Set(algorithms);
  // Only a frozen list cannot change after its check.
  if (Object.isFrozen(algorithms)) allowLists.set(algorithms, set);
  return set;
}

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
  const parsed = parseCompact(
    token,
    { algorithms: allowList(algorithms), maxTokenSize, crit: [] },
    headers,
    MAX_KNOWN,
  );
  const { header } = parsed;
  // The exact text first: a client sends the registered spelling, and lower-casing costs two strings.
  const headerTyp = header.typ;
  if (typeof headerTyp !== 'string' || (headerTyp !== typ && headerTyp.toLowerCase() !== typ.toLowerCase())) {
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
  // The import and the thumbprint (the costly parts after the signature), once per header.
  let known = imported.get(header);
  if (known === undefined) {
    known = { key: importJWK(jwk, header.alg as Algorithm), thumbprint: thumbprint(jwk) };
    // The header is shared by every proof with this text: no caller may change its jwk.
    Object.freeze(jwk);
    imported.set(header, known);
  }
  checkSignature(parsed, known.key);
  const payload = parseJsonObject(base64urlDecode(parsed.payloadSegment, 'the payload'));
  if (payload === undefined) throw new JwtError('ERR_JWT_INVALID', 'the payload is not a JSON object');
  return { header, payload, jwk, thumbprint: known.thumbprint };
}
