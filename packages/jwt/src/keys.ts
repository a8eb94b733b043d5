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
import { hasRocaFingerprint } from './lib/roca.js';

const constructing = Symbol('Key');

/**
 * A key bound to one algorithm family. It is what `sign` and `verify` take; only `importKey`,
 * `importJWK`, `generateKeyPair` and `generateSecret` make one, after every check has passed.
 *
 * @example const key = importKey(pem, 'ES256'); key.family // 'EC'
 */
export class Key {
  /** The algorithm the key was imported for; signing uses it unless told otherwise. */
  readonly alg: Algorithm;
  readonly family: KeyFamily;
  readonly type: 'secret' | 'public' | 'private';
  /** The node:crypto key. */
  readonly keyObject: KeyObject;
  /** The key that verifies: the public half of a private key, the key itself otherwise. */
  readonly verifyKey: KeyObject;
  /** `P-256`/`P-384`/`P-521` for EC keys, `Ed25519`/`Ed448` for OKP keys. */
  readonly curve: string | undefined;
  /** HMAC secret length in bytes (0 for asymmetric keys). */
  readonly secretLength: number;
  /** Key id, from the JWK or the import options. */
  readonly kid: string | undefined;

  /** @internal */
  constructor(token: symbol, alg: Algorithm, keyObject: KeyObject, kid: string | undefined) {
    if (token !== constructing) throw new TypeError('use importKey() to create a Key');
    const spec = algorithmSpec(alg)!;
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
export function bindKey(keyObject: KeyObject, spec: AlgorithmSpec, kid: string | undefined): Key {
  checkKeyObject(keyObject, spec);
  if (kid !== undefined && typeof kid !== 'string')
    throw new JwtError('ERR_JWK_INVALID', 'kid must be a string');
  return new Key(constructing, spec.alg, keyObject, kid);
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
function checkKeyObject(keyObject: KeyObject, spec: AlgorithmSpec): void {
  if (spec.family === 'HMAC') {
    if (keyObject.type !== 'secret') throw wrongKey();
    if (keyObject.symmetricKeySize! < spec.hashBytes) {
      throw new JwtError('ERR_JWK_INVALID', `${spec.alg} needs a secret of at least ${spec.hashBytes} bytes`);
    }
    return;
  }
  if (keyObject.type === 'secret') throw wrongKey();
  const type = keyObject.asymmetricKeyType;
  const details = keyObject.asymmetricKeyDetails ?? {};
  switch (spec.family) {
    case 'RSA':
    case 'RSA-PSS': {
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
      if (type !== 'ec' || curveOf(keyObject) !== spec.curve) throw wrongKey();
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
    default:
      return undefined;
  }
}

export interface GenerateKeyPairOptions {
  /** RSA modulus length in bits (default 2048, minimum 2048). */
  modulusLength?: number;
  /** EdDSA curve (default Ed25519). */
  crv?: 'Ed25519' | 'Ed448';
  kid?: string;
}

/**
 * Generates a key pair for an asymmetric algorithm.
 *
 * @example const { privateKey, publicKey } = generateKeyPair('ES256');
 */
export function generateKeyPair(
  alg: Algorithm,
  options: GenerateKeyPairOptions = {},
): { privateKey: Key; publicKey: Key } {
  const spec = algorithmSpec(alg);
  if (!spec || spec.family === 'HMAC') {
    throw new JwtError(
      'ERR_OPTION_INVALID',
      'generateKeyPair needs an asymmetric algorithm; use generateSecret',
    );
  }
  let pair: { privateKey: KeyObject; publicKey: KeyObject };
  switch (spec.family) {
    case 'RSA':
    case 'RSA-PSS':
      pair = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
      break;
    case 'EC':
      pair = generateKeyPairSync('ec', { namedCurve: spec.curve! });
      break;
    default:
      pair = options.crv === 'Ed448' ? generateKeyPairSync('ed448') : generateKeyPairSync('ed25519');
  }
  return {
    privateKey: bindKey(pair.privateKey, spec, options.kid),
    publicKey: bindKey(pair.publicKey, spec, options.kid),
  };
}

/**
 * Generates a random HMAC secret as long as the algorithm's hash (RFC 7518 §3.2).
 *
 * @example const key = generateSecret('HS256'); // 32 random bytes
 */
export function generateSecret(alg: Algorithm, options: { kid?: string } = {}): Key {
  const spec = algorithmSpec(alg);
  if (spec?.family !== 'HMAC') {
    throw new JwtError('ERR_OPTION_INVALID', 'generateSecret needs an HS* algorithm');
  }
  return bindKey(createSecretKey(randomBytes(spec.hashBytes)), spec, options.kid);
}

/** @internal Builds a Key from a node key already checked by the caller's format rules. */
export function keyFromObject(keyObject: KeyObject, alg: Algorithm, kid: string | undefined): Key {
  return bindKey(keyObject, algorithmSpec(alg)!, kid);
}
