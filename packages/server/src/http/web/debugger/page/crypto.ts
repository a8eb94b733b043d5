/**
 * JWS signatures with WebCrypto (RFC 7518 §3 mapped onto SubtleCrypto). The page verifies and signs
 * here, in the browser; no key, secret or token is ever sent anywhere.
 */
import { base64urlToBytes, bytesToBase64url, pemToDer, textToBase64url } from './b64.js';

type Family = 'HMAC' | 'RSA' | 'RSA-PSS' | 'EC' | 'OKP';
interface Spec {
  family: Family;
  hash: string;
  hashBytes: number;
  kty: string;
  curve?: string;
}

const SPECS: Record<string, Spec> = {};
for (const bits of [256, 384, 512]) {
  const hash = `SHA-${bits}`;
  const hashBytes = bits / 8;
  SPECS[`HS${bits}`] = { family: 'HMAC', hash, hashBytes, kty: 'oct' };
  SPECS[`RS${bits}`] = { family: 'RSA', hash, hashBytes, kty: 'RSA' };
  SPECS[`PS${bits}`] = { family: 'RSA-PSS', hash, hashBytes, kty: 'RSA' };
  SPECS[`ES${bits}`] = {
    family: 'EC',
    hash,
    hashBytes,
    kty: 'EC',
    curve: bits === 512 ? 'P-521' : `P-${bits}`,
  };
}
SPECS.EdDSA = { family: 'OKP', hash: '', hashBytes: 0, kty: 'OKP', curve: 'Ed25519' };

/** The WebCrypto description of an algorithm, or an error for `none` and unknown algorithms. */
export function specOf(alg: unknown): Spec {
  const spec = typeof alg === 'string' ? SPECS[alg] : undefined;
  if (!spec) throw new Error('the token algorithm cannot be verified (none or unknown)');
  return spec;
}

function importParams(
  spec: Spec,
): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  switch (spec.family) {
    case 'HMAC':
      return { name: 'HMAC', hash: spec.hash };
    case 'RSA':
      return { name: 'RSASSA-PKCS1-v1_5', hash: spec.hash };
    case 'RSA-PSS':
      return { name: 'RSA-PSS', hash: spec.hash };
    case 'EC':
      return { name: 'ECDSA', namedCurve: spec.curve! };
    default:
      return { name: 'Ed25519' };
  }
}

function signParams(spec: Spec): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  if (spec.family === 'RSA-PSS') return { name: 'RSA-PSS', saltLength: spec.hashBytes };
  if (spec.family === 'EC') return { name: 'ECDSA', hash: spec.hash };
  return importParams(spec) as AlgorithmIdentifier;
}

/** Only the key material: WebCrypto refuses JWKs whose alg, use or key_ops disagree with the import. */
function publicMembers(jwk: JsonWebKey): JsonWebKey {
  const { kty, crv, x, y, n, e } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
}

/** Public keys for the algorithm from pasted text: a JWKS, a JWK or a PEM public key. */
export async function importPublicKeys(text: string, alg: string, kid: unknown): Promise<CryptoKey[]> {
  const spec = specOf(alg);
  // An HMAC token checked against public key material is the algorithm-confusion attack (RFC 8725 §2.1).
  if (spec.family === 'HMAC') throw new Error('an HS* token needs the HMAC secret, not a public key');
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const der = pemToDer(trimmed, 'PUBLIC KEY');
    return [await crypto.subtle.importKey('spki', der, importParams(spec), false, ['verify'])];
  }
  let parsed: { keys?: JsonWebKey[] } & JsonWebKey & { kid?: string };
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new Error('paste a JWKS, a JWK or a PEM public key (BEGIN PUBLIC KEY)');
  }
  const all = (Array.isArray(parsed.keys) ? parsed.keys : [parsed]) as (JsonWebKey & { kid?: string })[];
  const candidates = all.filter(
    (jwk) =>
      jwk.kty === spec.kty &&
      (spec.curve === undefined || jwk.crv === spec.curve) &&
      (jwk.alg === undefined || jwk.alg === alg) &&
      (kid === undefined || jwk.kid === kid),
  );
  if (candidates.length === 0) throw new Error('no key matches the token (kid, key type, curve or alg)');
  return Promise.all(
    candidates.map((jwk) =>
      crypto.subtle.importKey('jwk', publicMembers(jwk), importParams(spec), false, ['verify']),
    ),
  );
}

/** An HMAC key from the secret's UTF-8 bytes, for verifying and signing. */
export function importSecret(secret: string, alg: string): Promise<CryptoKey> {
  const spec = specOf(alg);
  if (spec.family !== 'HMAC') throw new Error('a secret only verifies HS256, HS384 and HS512 tokens');
  const bytes = new TextEncoder().encode(secret);
  return crypto.subtle.importKey('raw', bytes, importParams(spec), false, ['sign', 'verify']);
}

/** True when one of the keys verifies the token's signature. */
export async function verifyToken(token: string, alg: string, keys: readonly CryptoKey[]): Promise<boolean> {
  const spec = specOf(alg);
  const [header, payload, signature] = token.split('.');
  const data = new TextEncoder().encode(`${header}.${payload}`);
  const bytes = base64urlToBytes(signature ?? '');
  for (const key of keys) {
    if (await crypto.subtle.verify(signParams(spec), key, bytes, data)) return true;
  }
  return false;
}

/** Signs a header and payload as a compact JWS; ECDSA's raw r||s is already JOSE's format. */
export async function signToken(
  header: object,
  payload: object,
  alg: string,
  key: CryptoKey,
): Promise<string> {
  const input = `${textToBase64url(JSON.stringify(header))}.${textToBase64url(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign(signParams(specOf(alg)), key, new TextEncoder().encode(input));
  return `${input}.${bytesToBase64url(signature)}`;
}

/** A new ES256 or RS256 key pair, extractable so its public part can be shown. */
export function generatePair(alg: 'ES256' | 'RS256'): Promise<CryptoKeyPair> {
  const params =
    alg === 'ES256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : {
          name: 'RSASSA-PKCS1-v1_5',
          hash: 'SHA-256',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
        };
  return crypto.subtle.generateKey(params, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** The public JWK of a pair with its RFC 7638 thumbprint as kid, as Sesame's CLI writes them. */
export async function publicJwk(key: CryptoKey, alg: string): Promise<JsonWebKey & { kid: string }> {
  const jwk = publicMembers(await crypto.subtle.exportKey('jwk', key));
  const required =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(required)));
  return { ...jwk, alg, use: 'sig', kid: bytesToBase64url(digest) };
}
