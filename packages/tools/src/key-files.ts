import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import {
  ALGORITHMS,
  type Algorithm,
  algorithmSpec,
  createLocalKeySet,
  importJWK,
  importKey,
  type JWK,
  type JWKS,
  type Key,
  type LocalKeySet,
} from '@sesame/jwt';
import { badInput, usage } from './errors.js';
import { readTextFile } from './input.js';

/** A key file as read: PEM text, one JWK, or a JWK Set. */
export type KeySource =
  | { kind: 'pem'; pem: string; path: string }
  | { kind: 'jwk'; jwk: JWK; path: string }
  | { kind: 'jwks'; jwks: JWKS; path: string };

/** Reads a PEM or JWK (or JWKS) file. The error names the file, never its content. */
export async function readKeyFile(path: string): Promise<KeySource> {
  const text = await readTextFile(path, 'key file');
  if (/^\s*\{/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw badInput(`the key file ${path} is not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badInput(`the key file ${path} is not a JWK`);
    }
    if (Array.isArray((value as JWKS).keys)) return { kind: 'jwks', jwks: value as JWKS, path };
    return { kind: 'jwk', jwk: value as JWK, path };
  }
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(text)) return { kind: 'pem', pem: text, path };
  throw badInput(`the key file ${path} is neither PEM nor a JWK`);
}

/** Checks an --alg value against the algorithm table; "none" is not an algorithm here. */
export function parseAlg(value: string): Algorithm {
  if (!algorithmSpec(value)) throw usage(`unsupported algorithm; use one of ${ALGORITHMS.join(', ')}`);
  return value as Algorithm;
}

/** The node key of a PEM, only to see its type: the import proper is @sesame/jwt's. */
function sniffPem(source: { pem: string; path: string }): KeyObject {
  try {
    if (/-----BEGIN CERTIFICATE-----/.test(source.pem)) return new X509Certificate(source.pem).publicKey;
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(source.pem)) return createPrivateKey(source.pem);
    return createPublicKey(source.pem);
  } catch {
    throw badInput(`the PEM key in ${source.path} could not be parsed`);
  }
}

const EC_ALGS: Record<string, Algorithm> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/**
 * The algorithm a key file implies: a JWK's `alg`, an EC curve, an Ed25519/Ed448 key. Undefined
 * when the key alone cannot tell (RSA serves RS* and PS*; a secret without `alg` serves every HS*).
 */
export function impliedAlg(source: KeySource): Algorithm | undefined {
  if (source.kind === 'jwks') return undefined;
  if (source.kind === 'jwk') {
    const { jwk } = source;
    if (typeof jwk.alg === 'string') return algorithmSpec(jwk.alg) ? (jwk.alg as Algorithm) : undefined;
    if (jwk.kty === 'EC') return EC_ALGS[String(jwk.crv)];
    return jwk.kty === 'OKP' ? 'EdDSA' : undefined;
  }
  const node = sniffPem(source);
  const type = node.asymmetricKeyType;
  if (type === 'ec') return EC_ALGS[node.asymmetricKeyDetails?.namedCurve ?? ''];
  return type === 'ed25519' || type === 'ed448' ? 'EdDSA' : undefined;
}

/** The algorithm to use: the one asked for, else the one the key implies, else a usage error. */
export function chooseAlg(source: KeySource, requested: string | undefined): Algorithm {
  if (requested !== undefined) return parseAlg(requested);
  const implied = impliedAlg(source);
  if (implied === undefined) {
    throw usage(`the key in ${source.path} does not say its algorithm; give --alg`);
  }
  return implied;
}

/** Imports a PEM or JWK source for one algorithm, with @sesame/jwt's checks (size, curve, use). */
export function importSource(source: KeySource, alg: Algorithm, kid?: string): Key {
  if (source.kind === 'jwks') throw badInput(`${source.path} is a key set; one key is expected here`);
  const options = kid === undefined ? {} : { kid };
  return source.kind === 'jwk' ? importJWK(source.jwk, alg, options) : importKey(source.pem, alg, options);
}

/** The public (verifying) half of a key; a secret or public key is returned as is. */
export function publicPart(key: Key): Key {
  return key.type === 'private' ? importKey(key.verifyKey, key.alg, { kid: key.kid }) : key;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/** A JWK without its private members (a secret `oct` key has no public part and stays as is). */
export function publicJwk(jwk: JWK): JWK {
  if (jwk.kty === 'oct') return jwk;
  const copy: JWK = { ...jwk };
  for (const name of PRIVATE_MEMBERS) delete copy[name];
  // A private key's ["sign"] says nothing about its public half, which only verifies.
  if (Array.isArray(copy.key_ops) && copy.key_ops.includes('sign')) copy.key_ops = ['verify'];
  return copy;
}

/** A key set from a JWKS file, private members dropped: verifying with a private set uses its public part. */
export function keySetFromSource(source: Extract<KeySource, { kind: 'jwks' }>): LocalKeySet {
  return createLocalKeySet({ keys: source.jwks.keys.map((jwk) => publicJwk(jwk)) });
}
