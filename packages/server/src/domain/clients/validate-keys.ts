/**
 * Validation of the keys a client registers (RFC 7591 §2): an inline JWK Set of public keys
 * (`jwks`) that sign its assertions (private_key_jwt) or that its responses are encrypted to
 * (`use: "enc"`), or the https URL it is published at (`jwks_uri`), never both. The URL is held to the SSRF rules of the fetch (public-address.ts): no loopback, private or
 * link-local address literal and no `localhost` name, unless the deployment allows private
 * addresses (config `jwksUriAllowPrivate`). A name is resolved only when fetched, and checked then
 * (a name resolving to a private address at registration could be re-pointed later anyway).
 */
import {
  type Algorithm,
  createLocalKeySet,
  importJWK,
  type JWK,
  type JWKS,
  type KeyManagementAlgorithm,
} from '@sesame/jwt';
import type { ClientJwks, TokenEndpointAuthMethod } from '../../store/types.js';
import { ASSERTION_ALGORITHMS } from './client-assertion.js';
import { defaultEncryptionAlg, ENCRYPTION_ALGORITHMS } from './encryption-keys.js';
import { hostAddress, isPublicAddress } from './public-address.js';
import { ClientError } from './validate.js';

const invalid = (message: string) => new ClientError('ERR_CLIENT_INVALID', message);

/** A key the client publishes for encrypting its responses (Core §10.2): `use: "enc"` or an X curve. */
function isEncryptionKey(jwk: JWK): boolean {
  return (
    jwk.use === 'enc' ||
    (ENCRYPTION_ALGORITHMS as readonly unknown[]).includes(jwk.alg) ||
    (jwk.kty === 'OKP' && (jwk.crv === 'X25519' || jwk.crv === 'X448'))
  );
}

/** An encryption key: of an offered algorithm (its own, or its type's), and importable for it. */
function checkEncryptionKey(jwk: JWK): void {
  const alg = jwk.alg ?? defaultEncryptionAlg(jwk);
  if (!(ENCRYPTION_ALGORITHMS as readonly unknown[]).includes(alg))
    throw invalid(`jwks: an encryption key's alg must be one of ${ENCRYPTION_ALGORITHMS.join(', ')}`);
  try {
    importJWK(jwk, alg as KeyManagementAlgorithm);
  } catch {
    throw invalid('jwks: a key is not a valid public encryption key');
  }
}

/** A handful of keys covers a rotation; a larger set is a mistake or an attack on verification. */
const MAX_KEYS = 20;
const MAX_JWKS_BYTES = 64 * 1024;
const MAX_URI_LENGTH = 2_000;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * `jwks`: public keys only, each importable for signing or (`use: "enc"`) encryption with an
 * asymmetric algorithm. Null or absent: none.
 *
 * @example validateJwks({ keys: [publicJwk] }) // the set, as given
 */
export function validateJwks(jwks: unknown): ClientJwks | null {
  if (jwks === undefined || jwks === null) return null;
  if (typeof jwks !== 'object' || Array.isArray(jwks) || !Array.isArray((jwks as ClientJwks).keys))
    throw invalid('jwks must be a JWK Set: an object with a keys list');
  const { keys } = jwks as ClientJwks;
  if (keys.length === 0 || keys.length > MAX_KEYS) throw invalid(`jwks must hold 1 to ${MAX_KEYS} keys`);
  if (JSON.stringify(jwks).length > MAX_JWKS_BYTES) throw invalid('jwks is too large');
  for (const jwk of keys) {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
      throw invalid('jwks: every key must be a JWK object');
    // A secret or a private key in a registration is a leak, and an HMAC key would let the
    // assertion be forged by anyone who reads the registration.
    if (jwk.kty === 'oct') throw invalid('jwks: symmetric (oct) keys are not accepted: register public keys');
    if (PRIVATE_MEMBERS.some((member) => jwk[member] !== undefined))
      throw invalid('jwks: a key holds private members: register the public key only');
    if (isEncryptionKey(jwk as JWK)) {
      checkEncryptionKey(jwk as JWK);
      continue;
    }
    if (jwk.alg !== undefined && !(ASSERTION_ALGORITHMS as readonly unknown[]).includes(jwk.alg))
      throw invalid(
        `jwks: alg must be one of ${[...ASSERTION_ALGORITHMS, ...ENCRYPTION_ALGORITHMS].join(', ')}`,
      );
    try {
      importJWK(jwk as JWK, jwk.alg as Algorithm | undefined);
    } catch {
      throw invalid('jwks: a key is not a valid public signing key');
    }
  }
  try {
    createLocalKeySet(jwks as JWKS); // duplicate kids, mixed sets
  } catch {
    throw invalid('jwks: the keys must have distinct kids');
  }
  return { keys: keys.map((jwk) => ({ ...jwk })) };
}

/**
 * Why a `jwks_uri` is refused, or undefined: an absolute https URL without userinfo or fragment,
 * whose host is no non-public address literal nor a `localhost` name (RFC 6761 §6.3).
 */
export function jwksUriProblem(uri: string, allowPrivate: boolean): string | undefined {
  if (uri.length > MAX_URI_LENGTH) return 'it is too long';
  if (/[\s\p{Cc}]/u.test(uri)) return 'it must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'it must be an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'it must not contain userinfo (user@host)';
  if (uri.includes('#')) return 'it must not have a fragment';
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'it must be https';
  if (allowPrivate) return undefined;
  const literal = hostAddress(url);
  if (literal !== undefined && !isPublicAddress(literal))
    return 'it names a loopback, private, link-local or reserved address, which the server does not fetch from';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost'))
    return 'it names localhost, which the server does not fetch from';
  return undefined;
}

/** `jwksUri`: see jwksUriProblem. Null or absent: none. */
export function validateJwksUri(uri: unknown, allowPrivate: boolean): string | null {
  if (uri === undefined || uri === null) return null;
  if (typeof uri !== 'string') throw invalid('jwksUri must be a string or null');
  const problem = jwksUriProblem(uri, allowPrivate);
  if (problem !== undefined) throw invalid(`jwksUri refused: ${problem}`);
  return uri;
}

/**
 * The keys and the method together: RFC 7591 §2 "MUST NOT both be present"; private_key_jwt needs
 * one of them.
 */
export function checkClientKeys(
  method: TokenEndpointAuthMethod | null,
  jwks: ClientJwks | null,
  jwksUri: string | null,
): void {
  if (jwks !== null && jwksUri !== null) throw invalid('give jwks or jwksUri, not both (RFC 7591 section 2)');
  if (method === 'private_key_jwt' && jwks === null && jwksUri === null)
    throw invalid('tokenEndpointAuthMethod private_key_jwt needs the public keys: jwks or jwksUri');
}
