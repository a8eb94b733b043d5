import { Buffer } from 'node:buffer';
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import {
  type Algorithm,
  type AlgorithmSpec,
  algorithmSpec,
  type KeyFamily,
  MIN_RSA_BITS,
} from './algorithms.js';
import { JwtError } from './errors.js';
import { importJWK, type JWK, looksLikeJwk } from './jwk.js';
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

/** What `importKey` accepts. */
export type KeyInput = KeyObject | JWK | string | Uint8Array;

export interface ImportKeyOptions {
  /** Key id to attach (a JWK's own `kid` is used when this is absent). */
  kid?: string;
}

/**
 * Imports a key for one algorithm: PEM (SPKI, PKCS#8, PKCS#1, X.509 certificate), a JWK object or
 * JSON text, a node `KeyObject`, or raw secret bytes or a string for HS*. Weak keys are refused:
 * HMAC secrets shorter than the hash, RSA under 2048 bits, curves that do not match the algorithm.
 * A public key in any form (PEM, JWK, certificate, SSH, DER) is refused as an HMAC secret.
 *
 * @example
 * const key = importKey(fs.readFileSync('public.pem', 'utf8'), 'RS256');
 * const secret = importKey(process.env.JWT_SECRET!, 'HS256');
 */
export function importKey(input: KeyInput, alg: Algorithm, options: ImportKeyOptions = {}): Key {
  const spec = algorithmSpec(alg);
  if (!spec) throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'unsupported algorithm');
  if (input instanceof KeyObject) return bindKey(input, spec, options.kid);
  if (typeof input === 'string' && looksLikeJwk(input)) {
    return importJWK(parseJwkText(input), alg, options);
  }
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array)) {
    return importJWK(input, alg, options);
  }
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new JwtError('ERR_JWK_INVALID', 'key input must be a KeyObject, a JWK, a string or bytes');
  }
  if (spec.family === 'HMAC') return bindKey(secretFromRaw(input), spec, options.kid);
  return bindKey(asymmetricFromRaw(input), spec, options.kid);
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

const PUBLIC_KEY_TEXT = /^\s*(-----BEGIN|ssh-(rsa|dss|ed25519|ed448)\s|ecdsa-sha2-|sk-(ssh|ecdsa)-|\{)/;

/**
 * An HMAC secret from raw bytes or text. Anything that is, or looks like, a public key is refused:
 * verifying HS256 with a server's public key as the secret is the classic algorithm-confusion
 * attack (RFC 8725 §2.1).
 */
function secretFromRaw(input: string | Uint8Array): KeyObject {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  const text = bytes.subarray(0, 64).toString('latin1');
  if (PUBLIC_KEY_TEXT.test(text) || isDerKey(bytes) || isBase64DerKey(bytes)) {
    throw new JwtError('ERR_JWK_INVALID', 'a public or private key cannot be used as an HMAC secret');
  }
  if (bytes.length === 0) throw new JwtError('ERR_JWK_INVALID', 'the HMAC secret is empty');
  return createSecretKey(bytes);
}

function isDerKey(bytes: Buffer): boolean {
  if (bytes[0] !== 0x30) return false; // every DER key starts with a SEQUENCE
  for (const attempt of [
    () => createPublicKey({ key: bytes, format: 'der', type: 'spki' }),
    () => createPublicKey({ key: bytes, format: 'der', type: 'pkcs1' }),
    () => createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' }),
    () => new X509Certificate(bytes),
  ]) {
    try {
      attempt();
      return true;
    } catch {
      // not this form
    }
  }
  return false;
}

/** A PEM body without its armour ("MIIB…", "MFkw…") is still a key: base64 text that decodes to DER. */
function isBase64DerKey(bytes: Buffer): boolean {
  const text = bytes.toString('latin1').replace(/\s+/g, '');
  if (!text.startsWith('M') || text.length < 40 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  return isDerKey(Buffer.from(text, 'base64'));
}

function asymmetricFromRaw(input: string | Uint8Array): KeyObject {
  const isText = typeof input === 'string';
  const pem = isText ? input : Buffer.from(input);
  const text = typeof pem === 'string' ? pem : pem.subarray(0, 32).toString('latin1');
  try {
    if (/^\s*-----BEGIN CERTIFICATE-----/.test(text)) return new X509Certificate(pem).publicKey;
    if (/^\s*-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return createPrivateKey(pem);
    if (/^\s*-----BEGIN/.test(text)) return createPublicKey(pem);
  } catch {
    throw new JwtError('ERR_JWK_INVALID', 'the PEM key could not be parsed');
  }
  if (isText) throw new JwtError('ERR_JWK_INVALID', 'expected a PEM key or a JWK');
  const der = Buffer.from(input);
  for (const attempt of [
    () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
    () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
    () => new X509Certificate(der).publicKey,
  ]) {
    try {
      return attempt();
    } catch {
      // not this form
    }
  }
  throw new JwtError('ERR_JWK_INVALID', 'the DER key could not be parsed');
}

function parseJwkText(text: string): JWK {
  try {
    return JSON.parse(text) as JWK;
  } catch {
    throw new JwtError('ERR_JWK_INVALID', 'the JWK is not valid JSON');
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
