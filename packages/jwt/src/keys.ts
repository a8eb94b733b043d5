import {
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import {
  type Algorithm,
  type AlgorithmSpec,
  algorithmSpec,
  type KeyFamily,
  MIN_RSA_BITS,
} from './algorithms.js';
import { JwtError } from './errors.js';
import {
  type ContentEncryptionAlgorithm,
  contentEncryptionSpec,
  type KeyManagementAlgorithm,
  type KeyManagementSpec,
  keyManagementSpec,
} from './jwe-algorithms.js';
import { hasRocaFingerprint } from './lib/roca.js';

/** Any algorithm a key can be bound to: a JWS `alg` or a JWE key management `alg`. */
export type KeyAlgorithm = Algorithm | KeyManagementAlgorithm;

/** @internal A row of either table: what a key is checked against when it is made. */
export type KeySpec = AlgorithmSpec | KeyManagementSpec;

/** @internal The row for a JWS or JWE key management algorithm. */
export function keySpec(alg: unknown): KeySpec | undefined {
  return algorithmSpec(alg) ?? keyManagementSpec(alg);
}

/** Direct (`dir`) keys are CEKs: their length is one of the `enc` key lengths (RFC 7518 §5). */
const DIR_KEY_BYTES = new Set([16, 24, 32, 48, 64]);

const constructing = Symbol('Key');

/**
 * A key bound to one algorithm family. It is what `sign` and `verify` take; only `importKey`,
 * `importJWK`, `generateKeyPair` and `generateSecret` make one, after every check has passed.
 *
 * @example const key = importKey(pem, 'ES256'); key.family // 'EC'
 */
export class Key<A extends KeyAlgorithm = Algorithm> {
  /** The algorithm the key was imported for; signing (or encrypting) uses it unless told otherwise. */
  readonly alg: A;
  readonly family: KeyFamily;
  readonly type: 'secret' | 'public' | 'private';
  /** The node:crypto key. */
  readonly keyObject: KeyObject;
  /** The key that verifies: the public half of a private key, the key itself otherwise. */
  readonly verifyKey: KeyObject;
  /** `P-256`/`P-384`/`P-521` for EC keys, `Ed25519`/`Ed448`/`X25519` for OKP keys. */
  readonly curve: string | undefined;
  /** Secret length in bytes (0 for asymmetric keys). */
  readonly secretLength: number;
  /** Key id, from the JWK or the import options. */
  readonly kid: string | undefined;

  /** @internal */
  constructor(token: symbol, alg: A, keyObject: KeyObject, kid: string | undefined) {
    if (token !== constructing) throw new TypeError('use importKey() to create a Key');
    const spec = keySpec(alg)!;
    this.alg = alg;
    this.family = spec.family;
    this.keyObject = keyObject;
    this.type = keyObject.type;
    this.verifyKey = keyObject.type === 'private' ? createPublicKey(keyObject) : keyObject;
    this.curve = curveOf(keyObject);
    this.secretLength = keyObject.type === 'secret' ? keyObject.symmetricKeySize! : 0;
    this.kid = kid;
    Object.freeze(this);
  }
}

export interface ImportKeyOptions {
  /** Key id to attach (a JWK's own `kid` is used when this is absent). */
  kid?: string;
}

/** @internal Checks a node key against the algorithm and wraps it. Every Key is made here. */
export function bindKey<A extends KeyAlgorithm = Algorithm>(
  keyObject: KeyObject,
  spec: KeySpec,
  kid: string | undefined,
): Key<A> {
  checkKeyObject(keyObject, spec);
  if (kid !== undefined && typeof kid !== 'string')
    throw new JwtError('ERR_JWK_INVALID', 'kid must be a string');
  return new Key(constructing, spec.alg as A, keyObject, kid);
}

/**
 * @internal The per-use check, on the hot path: the key was fully checked when it was made, so only
 * the family, the curve and the secret length against this algorithm's hash remain.
 */
export function assertKeyFits(key: Key, spec: AlgorithmSpec): void {
  if (key.family !== spec.family || (spec.curve !== undefined && key.curve !== spec.curve))
    throw algMismatch();
  if (key.secretLength < spec.hashBytes && spec.family === 'HMAC') {
    throw new JwtError('ERR_JWK_INVALID', `${spec.alg} needs a secret of at least ${spec.hashBytes} bytes`);
  }
}

/** Throws unless a node key may be used with the algorithm: family, curve, size, exponent. */
function checkKeyObject(keyObject: KeyObject, spec: KeySpec): void {
  const size = keyObject.symmetricKeySize ?? 0;
  switch (spec.family) {
    case 'HMAC': {
      const { hashBytes } = spec as AlgorithmSpec;
      if (keyObject.type !== 'secret') throw wrongKey();
      if (size < hashBytes) {
        throw new JwtError('ERR_JWK_INVALID', `${spec.alg} needs a secret of at least ${hashBytes} bytes`);
      }
      return;
    }
    case 'AES-KW':
    case 'AES-GCMKW': {
      // RFC 7518 §4.4 and §4.7: the key length is part of the algorithm; no other length is used.
      const { keyBytes } = spec as KeyManagementSpec;
      if (keyObject.type !== 'secret') throw wrongKey();
      if (size !== keyBytes)
        throw new JwtError('ERR_JWK_INVALID', `${spec.alg} needs a key of ${keyBytes} bytes`);
      return;
    }
    case 'DIR':
      if (keyObject.type !== 'secret') throw wrongKey();
      if (!DIR_KEY_BYTES.has(size)) throw new JwtError('ERR_JWK_INVALID', 'no enc uses a key of this length');
      return;
  }
  if (keyObject.type === 'secret') throw wrongKey();
  const type = keyObject.asymmetricKeyType;
  const details = keyObject.asymmetricKeyDetails ?? {};
  switch (spec.family) {
    case 'RSA':
    case 'RSA-PSS':
    case 'RSA-OAEP': {
      if (type !== 'rsa' && !(type === 'rsa-pss' && spec.family === 'RSA-PSS')) throw wrongKey();
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
        throw new JwtError('ERR_JWK_INVALID', `RSA keys must have at least ${MIN_RSA_BITS} bits`);
      }
      const e = details.publicExponent ?? 0n;
      if (e < 3n || e % 2n === 0n) throw new JwtError('ERR_JWK_INVALID', 'RSA public exponent is invalid');
      if (hasRocaFingerprint(keyObject)) {
        throw new JwtError(
          'ERR_JWK_INVALID',
          'the RSA key was made by a broken generator (ROCA, CVE-2017-15361)',
        );
      }
      return;
    }
    case 'EC':
      if (type !== 'ec' || curveOf(keyObject) !== (spec as AlgorithmSpec).curve) throw wrongKey();
      return;
    case 'ECDH':
      // RFC 7518 §4.6 and RFC 8037 §3.2: P-256, P-384, P-521 and X25519.
      if (type !== 'x25519' && (type !== 'ec' || curveOf(keyObject) === undefined)) throw wrongKey();
      return;
    case 'OKP':
      if (type !== 'ed25519' && type !== 'ed448') throw wrongKey();
      return;
  }
}

function algMismatch(): JwtError {
  return new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'the key does not belong to this algorithm');
}

/** At import a key of the wrong type or curve is a refused key (ERR_JWK_INVALID), like a weak one. */
function wrongKey(): JwtError {
  return new JwtError('ERR_JWK_INVALID', 'the key does not belong to this algorithm');
}

function curveOf(keyObject: KeyObject): string | undefined {
  switch (keyObject.asymmetricKeyType) {
    case 'ec':
      return ({ prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' } as Record<string, string>)[
        keyObject.asymmetricKeyDetails?.namedCurve ?? ''
      ];
    case 'ed25519':
      return 'Ed25519';
    case 'ed448':
      return 'Ed448';
    case 'x25519':
      return 'X25519';
    default:
      return undefined;
  }
}

export interface GenerateKeyPairOptions {
  /** RSA modulus length in bits (default 2048, minimum 2048). */
  modulusLength?: number;
  /** EdDSA curve (default Ed25519); ECDH-ES curve (default P-256). */
  crv?: 'Ed25519' | 'Ed448' | 'P-256' | 'P-384' | 'P-521' | 'X25519';
  kid?: string;
}

const ECDH_CURVES = new Set(['P-256', 'P-384', 'P-521', 'X25519']);

/**
 * Generates a key pair for an asymmetric algorithm: a signing pair for a JWS `alg`, or an
 * encryption pair for `RSA-OAEP*` or `ECDH-ES*` (on P-256 unless `crv` says P-384, P-521 or X25519).
 *
 * @example
 * const { privateKey, publicKey } = generateKeyPair('ES256');
 * const recipient = generateKeyPair('ECDH-ES+A256KW', { crv: 'X25519' });
 */
export function generateKeyPair<A extends KeyAlgorithm = Algorithm>(
  alg: A,
  options: GenerateKeyPairOptions = {},
): { privateKey: Key<A>; publicKey: Key<A> } {
  const spec = keySpec(alg);
  if (!spec || spec.family === 'HMAC' || (spec as KeyManagementSpec).kty?.includes('oct')) {
    throw new JwtError(
      'ERR_OPTION_INVALID',
      'generateKeyPair needs an asymmetric algorithm; use generateSecret',
    );
  }
  let pair: { privateKey: KeyObject; publicKey: KeyObject };
  switch (spec.family) {
    case 'RSA':
    case 'RSA-PSS':
    case 'RSA-OAEP':
      pair = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
      break;
    case 'EC':
      pair = generateKeyPairSync('ec', { namedCurve: (spec as AlgorithmSpec).curve! });
      break;
    case 'ECDH': {
      const crv = options.crv ?? 'P-256';
      if (!ECDH_CURVES.has(crv)) throw new JwtError('ERR_OPTION_INVALID', 'unsupported curve for ECDH-ES');
      pair =
        crv === 'X25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('ec', { namedCurve: crv });
      break;
    }
    default:
      pair = options.crv === 'Ed448' ? generateKeyPairSync('ed448') : generateKeyPairSync('ed25519');
  }
  return {
    privateKey: bindKey<A>(pair.privateKey, spec, options.kid),
    publicKey: bindKey<A>(pair.publicKey, spec, options.kid),
  };
}

/**
 * Generates a random secret: an HMAC secret as long as the algorithm's hash (RFC 7518 §3.2), an
 * AES key-wrapping key of the algorithm's length (A128KW: 16 bytes, A256GCMKW: 32), or for `dir`
 * a content encryption key of the length `enc` needs.
 *
 * @example
 * const key = generateSecret('HS256'); // 32 random bytes
 * const cek = generateSecret('dir', { enc: 'A256GCM' }); // 32 random bytes
 */
export function generateSecret<A extends KeyAlgorithm = Algorithm>(
  alg: A,
  options: { kid?: string; enc?: ContentEncryptionAlgorithm } = {},
): Key<A> {
  const spec = keySpec(alg);
  let bytes: number | undefined;
  if (spec?.family === 'HMAC') bytes = (spec as AlgorithmSpec).hashBytes;
  else if (spec?.family === 'AES-KW' || spec?.family === 'AES-GCMKW')
    bytes = (spec as KeyManagementSpec).keyBytes;
  else if (spec?.family === 'DIR') {
    bytes = contentEncryptionSpec(options.enc)?.keyBytes;
    if (bytes === undefined) throw new JwtError('ERR_OPTION_INVALID', 'a dir key needs the enc it is for');
  }
  if (spec === undefined || bytes === undefined) {
    throw new JwtError('ERR_OPTION_INVALID', 'generateSecret needs an HS*, A*KW, A*GCMKW or dir algorithm');
  }
  return bindKey<A>(createSecretKey(randomBytes(bytes)), spec, options.kid);
}

/** @internal Builds a Key from a node key already checked by the caller's format rules. */
export function keyFromObject(keyObject: KeyObject, alg: Algorithm, kid: string | undefined): Key {
  return bindKey(keyObject, algorithmSpec(alg)!, kid);
}
