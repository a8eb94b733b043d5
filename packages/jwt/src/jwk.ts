import { createHash, createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { Algorithm } from './algorithms.js';
import { base64urlDecode, isBase64url } from './base64url.js';
import { JwtError } from './errors.js';
import { contentEncryptionSpec, keyManagementSpec } from './jwe-algorithms.js';
import { bindKey, type ImportKeyOptions, Key, type KeyAlgorithm, keySpec } from './keys.js';

/** A JSON Web Key (RFC 7517). Only the members Sesame reads are typed; others are kept as is. */
export interface JWK {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  d?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  k?: string;
  [member: string]: unknown;
}

/** A JWK Set (RFC 7517 §5). */
export interface JWKS {
  keys: JWK[];
}

/** @internal True when a string is JSON text of an object (a JWK given as text). */
export function looksLikeJwk(text: string): boolean {
  return /^\s*\{/.test(text);
}

const COORDINATE_BYTES: Record<string, number> = {
  'P-256': 32,
  'P-384': 48,
  'P-521': 66,
  Ed25519: 32,
  Ed448: 57,
  X25519: 32,
};
const OKP_CURVES = new Set(['Ed25519', 'Ed448', 'X25519']);
const RSA_PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/**
 * Imports a JWK for one algorithm after checking it strictly: `kty`, `crv` and `alg` must agree
 * with the algorithm, every member must be strict base64url of the right length. For a JWS
 * algorithm `use` must be "sig" and `key_ops` must allow signing or verification when present; for
 * a JWE key management algorithm `use` must be "enc" and `key_ops` must allow encryption, key
 * wrapping or key agreement. A `dir` key may name its `enc` as its `alg` (RFC 7520 §5.6 does).
 *
 * @example
 * const key = importJWK({ kty: 'EC', crv: 'P-256', x: '…', y: '…' }, 'ES256');
 * const recipient = importJWK(privateJwk, 'ECDH-ES+A256KW');
 */
export function importJWK<A extends KeyAlgorithm = Algorithm>(
  jwk: JWK,
  alg?: A,
  options: ImportKeyOptions = {},
): Key<A> {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw invalid('a JWK must be a JSON object');
  }
  if (typeof jwk.kty !== 'string') throw invalid('the JWK has no kty');
  if (jwk.alg !== undefined && typeof jwk.alg !== 'string') throw invalid('the JWK alg must be a string');
  // A direct key names the content encryption it serves: to JOSE it is a `dir` key.
  const jwkAlg = contentEncryptionSpec(jwk.alg) ? 'dir' : jwk.alg;
  if (alg !== undefined && jwkAlg !== undefined && jwkAlg !== alg) {
    throw invalid('the JWK is meant for another algorithm');
  }
  const chosen = alg ?? (jwkAlg as A | undefined) ?? (defaultAlgorithm(jwk) as A);
  const spec = keySpec(chosen);
  if (!spec) throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'unsupported algorithm');
  const ktys: readonly string[] = typeof spec.kty === 'string' ? [spec.kty] : spec.kty;
  if (!ktys.includes(jwk.kty)) throw invalid(`a ${jwk.kty} key cannot be used with ${spec.alg}`);
  const isPrivate = jwk.d !== undefined || (jwk.kty === 'oct' && jwk.k !== undefined);
  checkUse(jwk, isPrivate, keyManagementSpec(spec.alg) !== undefined);
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') throw invalid('the JWK kid must be a string');
  return bindKey<A>(toKeyObject(jwk), spec, options.kid ?? jwk.kid);
}

function defaultAlgorithm(jwk: JWK): Algorithm {
  if (jwk.kty === 'EC') {
    const alg = ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as const)[
      String(jwk.crv) as 'P-256'
    ];
    if (alg) return alg;
  }
  if (jwk.kty === 'OKP') return 'EdDSA';
  throw invalid('the algorithm is not given and the JWK has no alg');
}

/** The key operations registered by RFC 7517 §4.3. */
const REGISTERED_KEY_OPS = new Set([
  'sign',
  'verify',
  'encrypt',
  'decrypt',
  'wrapKey',
  'unwrapKey',
  'deriveKey',
  'deriveBits',
]);

/** The registered operations that allow a key to take part in JWE key management (RFC 7517 §4.3). */
const ENCRYPTION_OPS = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'deriveKey', 'deriveBits'];

function checkUse(jwk: JWK, isPrivate: boolean, encryption: boolean): void {
  if (encryption) {
    if (jwk.use !== undefined && jwk.use !== 'enc') throw invalid('the JWK is not meant for encryption');
    const ops = jwk.key_ops;
    if (ops !== undefined) {
      if (!Array.isArray(ops) || ops.some((op) => typeof op !== 'string'))
        throw invalid('key_ops must be strings');
      const registered = ops.filter((op) => REGISTERED_KEY_OPS.has(op));
      if (
        ops.length === 0 ||
        (registered.length > 0 && !registered.some((op) => ENCRYPTION_OPS.includes(op)))
      ) {
        throw invalid('the JWK key_ops do not allow encryption');
      }
    }
    return;
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') throw invalid('the JWK is not meant for signatures');
  if (jwk.key_ops !== undefined) {
    const ops = jwk.key_ops;
    if (!Array.isArray(ops) || ops.some((op) => typeof op !== 'string'))
      throw invalid('key_ops must be strings');
    // RFC 7517 §4.3 allows values beyond the registered ones; they say nothing about signatures,
    // so they are ignored (["sign, verify"], one odd string, is such a value). A key is refused
    // when the registered operations it lists exclude signatures, or when it lists none at all.
    const registered = ops.filter((op) => REGISTERED_KEY_OPS.has(op));
    const allowed =
      registered.length === 0
        ? ops.length > 0
        : isPrivate
          ? registered.includes('sign') || registered.includes('verify')
          : registered.includes('verify');
    if (!allowed) throw invalid('the JWK key_ops do not allow signatures');
  }
}

function member(jwk: JWK, name: string, bytes?: number): string {
  const value = jwk[name];
  if (typeof value !== 'string' || value.length === 0 || !isBase64url(value)) {
    throw invalid(`the JWK member ${name} is missing or not base64url`);
  }
  if (bytes !== undefined && base64urlDecode(value).length !== bytes) {
    throw invalid(`the JWK member ${name} has the wrong length`);
  }
  return value;
}

function toKeyObject(jwk: JWK): KeyObject {
  switch (jwk.kty) {
    case 'oct': {
      const k = base64urlDecode(member(jwk, 'k'));
      return createSecretKey(k);
    }
    case 'RSA': {
      if (jwk.oth !== undefined)
        throw new JwtError('ERR_JOSE_NOT_SUPPORTED', 'multi-prime RSA keys are not supported');
      const clean: JWK = { kty: 'RSA', n: member(jwk, 'n'), e: member(jwk, 'e') };
      if (jwk.d !== undefined) for (const name of RSA_PRIVATE) clean[name] = member(jwk, name);
      return nodeKey(clean);
    }
    case 'EC':
    case 'OKP': {
      const crv = typeof jwk.crv === 'string' ? jwk.crv : '';
      const size = COORDINATE_BYTES[crv];
      const okpCurve = OKP_CURVES.has(crv);
      if (size === undefined || (jwk.kty === 'OKP') !== okpCurve) throw invalid('unsupported curve');
      const clean: JWK = { kty: jwk.kty, crv, x: member(jwk, 'x', size) };
      if (jwk.kty === 'EC') clean.y = member(jwk, 'y', size);
      if (jwk.d !== undefined) clean.d = member(jwk, 'd', size);
      return nodeKey(clean);
    }
    default:
      throw invalid('unsupported kty');
  }
}

function nodeKey(jwk: JWK): KeyObject {
  let key: KeyObject;
  try {
    if (jwk.d !== undefined) return createPrivateKey({ key: jwk as never, format: 'jwk' });
    key = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    throw invalid('the JWK is not a valid key');
  }
  // Node builds a JWK's EC or RSA key as an OpenSSL "legacy" key, which every verification must
  // then look up a key manager for; the same key read back from its SPKI is a provider key, and
  // verifies for fewer instructions (bench:dpop). Once per import, same key material.
  return jwk.kty === 'OKP'
    ? key
    : createPublicKey({ key: key.export({ format: 'der', type: 'spki' }), format: 'der', type: 'spki' });
}

function invalid(message: string): JwtError {
  return new JwtError('ERR_JWK_INVALID', message);
}

/**
 * Exports a key as a JWK: the public part unless `private: true` is asked. A secret (HS*) key has
 * no public part, so exporting it needs `private: true` — a secret is never published by mistake.
 *
 * @example exportJWK(privateKey) // { kty: 'EC', crv: 'P-256', x, y, alg: 'ES256', kid }
 */
export function exportJWK(key: Key<KeyAlgorithm>, options: { private?: boolean } = {}): JWK {
  if (!(key instanceof Key)) throw new JwtError('ERR_OPTION_INVALID', 'exportJWK takes a Key');
  if (key.type === 'secret' && !options.private) {
    throw new JwtError('ERR_OPTION_INVALID', 'a secret key has no public part; pass { private: true }');
  }
  const source = options.private ? key.keyObject : key.verifyKey;
  const jwk = source.export({ format: 'jwk' }) as JWK;
  const out: JWK = { ...jwk, alg: key.alg };
  if (keyManagementSpec(key.alg)) out.use = 'enc';
  if (key.kid !== undefined) out.kid = key.kid;
  return out;
}

const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty'],
};

/**
 * The RFC 7638 thumbprint of a JWK (or of a key's public JWK): the hash of its required members in
 * lexicographic order, base64url-encoded.
 *
 * @example thumbprint({ kty: 'RSA', n, e }) // 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
 */
export function thumbprint(
  jwk: JWK | Key<KeyAlgorithm>,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const source = jwk instanceof Key ? exportJWK(jwk, { private: jwk.type === 'secret' }) : jwk;
  const names = THUMBPRINT_MEMBERS[String(source?.kty)];
  if (!names) throw invalid('unsupported kty');
  const canonical: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (typeof value !== 'string') throw invalid(`the JWK member ${name} is missing`);
    canonical[name] = value;
  }
  return createHash(hash).update(JSON.stringify(canonical)).digest('base64url');
}

/**
 * The RFC 9278 thumbprint URI of a JWK.
 *
 * @example thumbprintUri(jwk) // 'urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsX…'
 */
export function thumbprintUri(
  jwk: JWK | Key<KeyAlgorithm>,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  return `urn:ietf:params:oauth:jwk-thumbprint:sha-${hash.slice(3)}:${thumbprint(jwk, hash)}`;
}
