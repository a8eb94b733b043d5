/**
 * `importKey`: any key form people have (PEM, certificate, JWK, DER, a KeyObject, raw secret
 * bytes) to a checked Key. Its own module, so keys.ts (the Key, its checks, generation) and jwk.ts
 * (which builds Keys from JWKs) do not import each other.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey, createSecretKey, KeyObject, X509Certificate } from 'node:crypto';
import type { Algorithm } from './algorithms.js';
import { JwtError } from './errors.js';
import type { KeyManagementAlgorithm } from './jwe-algorithms.js';
import { importJWK, type JWK, looksLikeJwk } from './jwk.js';
import { bindKey, type ImportKeyOptions, type Key, type KeyAlgorithm, keySpec } from './keys.js';

/** Families whose keys are secrets, given as raw bytes or text. */
const SECRET_FAMILIES = new Set(['HMAC', 'AES-KW', 'AES-GCMKW', 'DIR']);

/** What `importKey` accepts. */
export type KeyInput = KeyObject | JWK | string | Uint8Array;

/**
 * Imports a key for one algorithm, a JWS `alg` or a JWE key management `alg`: PEM (SPKI, PKCS#8,
 * PKCS#1, X.509 certificate), a JWK object or JSON text, a node `KeyObject`, or raw secret bytes or
 * a string for HS*, A*KW, A*GCMKW and dir. Weak keys are refused: HMAC secrets shorter than the
 * hash, AES keys of another length than the algorithm's, RSA under 2048 bits, curves that do not
 * match the algorithm. A public key in any form (PEM, JWK, certificate, SSH, DER) is refused as a
 * secret.
 *
 * @example
 * const key = importKey(fs.readFileSync('public.pem', 'utf8'), 'RS256');
 * const secret = importKey(process.env.JWT_SECRET!, 'HS256');
 * const recipient = importKey(fs.readFileSync('enc-private.pem', 'utf8'), 'RSA-OAEP-256');
 */
export function importKey<A extends KeyManagementAlgorithm>(
  input: KeyInput,
  alg: A,
  options?: ImportKeyOptions,
): Key<A>;
export function importKey(input: KeyInput, alg: Algorithm, options?: ImportKeyOptions): Key;
export function importKey<A extends KeyAlgorithm>(
  input: KeyInput,
  alg: A,
  options: ImportKeyOptions = {},
): Key<A> {
  const spec = keySpec(alg);
  if (!spec) throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'unsupported algorithm');
  if (input instanceof KeyObject) return bindKey<A>(input, spec, options.kid);
  if (typeof input === 'string' && looksLikeJwk(input)) {
    return importJWK<A>(parseJwkText(input), alg, options);
  }
  if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array)) {
    return importJWK<A>(input as JWK, alg, options);
  }
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new JwtError('ERR_JWK_INVALID', 'key input must be a KeyObject, a JWK, a string or bytes');
  }
  if (SECRET_FAMILIES.has(spec.family)) return bindKey<A>(secretFromRaw(input), spec, options.kid);
  return bindKey<A>(asymmetricFromRaw(input), spec, options.kid);
}

const PUBLIC_KEY_TEXT = /^\s*(-----BEGIN|ssh-(rsa|dss|ed25519|ed448)\s|ecdsa-sha2-|sk-(ssh|ecdsa)-)/;

/**
 * An HMAC secret from raw bytes or text. Anything that is, or looks like, a public key is refused:
 * verifying HS256 with a server's public key as the secret is the classic algorithm-confusion
 * attack (RFC 8725 §2.1).
 */
function secretFromRaw(input: string | Uint8Array): KeyObject {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  const text = bytes.subarray(0, 64).toString('latin1');
  if (PUBLIC_KEY_TEXT.test(text) || isJsonObject(bytes) || isDerKey(bytes) || isBase64DerKey(bytes)) {
    throw new JwtError('ERR_JWK_INVALID', 'a public or private key cannot be used as a secret');
  }
  if (bytes.length === 0) throw new JwtError('ERR_JWK_INVALID', 'the secret is empty');
  return createSecretKey(bytes);
}

/**
 * A JWK or JWK Set given as bytes. Only text that parses as a JSON object counts: refusing every
 * input whose first byte is "{" refused about one random 32-byte secret in 250.
 */
function isJsonObject(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  if (!looksLikeJwk(text)) return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
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
