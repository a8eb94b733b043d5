/**
 * The ID token checks of the OIDF's ValidateIdToken, ValidateIdTokenNonce, ValidateIdTokenSignature,
 * ValidateIdTokenSignatureUsingKid and CheckForSubjectInIdToken, plus at_hash (Core §3.1.3.6),
 * each recorded on its own so a failure names the claim. The signature is verified with `jose`
 * against the JWKS fetched from the discovered jwks_uri, independently of openid-client (which
 * checks it too, with enableNonRepudiationChecks).
 */
import { createHash } from 'node:crypto';
import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import type { ModuleRun } from './module.js';

/** What an ID token is checked against. */
export interface Expected {
  issuer: string;
  clientId: string;
  /** The JWKS at jwks_uri, fetched for this check (a rotation must show). */
  jwks: { keys: JWK[] };
  /** id_token_signing_alg_values_supported from discovery. */
  algorithms: readonly string[];
  /** The nonce sent; undefined: none was sent, so none may come back. */
  nonce: string | undefined;
  /** The access token issued beside it, for at_hash. */
  accessToken?: string | undefined;
}

/** Core §3.1.3.6: the hash of the JWS algorithm; EdDSA over Ed25519 uses SHA-512. */
const HASHES: Record<string, string> = {
  ES256: 'sha256',
  RS256: 'sha256',
  PS256: 'sha256',
  HS256: 'sha256',
  ES384: 'sha384',
  RS384: 'sha384',
  PS384: 'sha384',
  ES512: 'sha512',
  RS512: 'sha512',
  PS512: 'sha512',
  EdDSA: 'sha512',
  Ed25519: 'sha512',
};

/** at_hash / c_hash: the left half of the hash of the ASCII value, base64url (Core §3.1.3.6). */
export function halfHash(alg: string, value: string): string | undefined {
  const hash = HASHES[alg];
  if (hash === undefined) return undefined;
  const digest = createHash(hash).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The JWKS at jwks_uri, fetched now (a rotation must show). */
export async function fetchJwks(jwksUri: string): Promise<{ keys: JWK[] }> {
  const response = await fetch(jwksUri);
  if (response.status !== 200) throw new Error(`${jwksUri} answered ${response.status}`);
  return (await response.json()) as { keys: JWK[] };
}

/**
 * Checks one ID token and returns its claims and header. Skew allowance for exp/iat: 60 s, as
 * the OIDF's conditions allow (server and suite share a machine here). Claims are read only after
 * the structure is checked: a token that is not a JWS fails one check instead of crashing.
 */
export async function checkIdToken(
  run: ModuleRun,
  idToken: string,
  expected: Expected,
  label = 'ID token',
): Promise<{ claims: JWTPayload; header: ProtectedHeaderParameters }> {
  let header: ProtectedHeaderParameters = {};
  let claims: JWTPayload = {};
  let malformed = '';
  try {
    header = decodeProtectedHeader(idToken);
    claims = decodeJwt(idToken);
  } catch (error) {
    malformed = (error as Error).message;
  }
  run.require(
    `${label}: a JWS compact serialization with a JSON header and claims`,
    malformed === '',
    malformed,
  );
  const alg = header.alg ?? '';
  run.check(
    `${label}: alg ${alg} is advertised in id_token_signing_alg_values_supported, and is not none`,
    alg !== 'none' && expected.algorithms.includes(alg),
    `alg ${alg}, advertised ${expected.algorithms.join(' ')}`,
  );
  const { keys } = expected.jwks;
  const key = keys.find((candidate) => candidate.kid !== undefined && candidate.kid === header.kid);
  run.check(
    `${label}: kid names a key published at jwks_uri (Core §10.1)`,
    key !== undefined,
    `kid ${String(header.kid)}, published ${keys.map((k) => k.kid).join(' ')}`,
  );
  if (key !== undefined) {
    let verified = false;
    let reason = '';
    try {
      await compactVerify(idToken, await importJWK(key, alg));
      verified = true;
    } catch (error) {
      reason = (error as Error).message;
    }
    run.check(`${label}: the signature verifies with that key`, verified, reason);
  }
  run.check(`${label}: iss is the issuer`, claims.iss === expected.issuer, `iss ${String(claims.iss)}`);
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  run.check(
    `${label}: aud contains the client_id`,
    audience.includes(expected.clientId),
    `aud ${JSON.stringify(claims.aud)}`,
  );
  if (audience.length > 1) {
    run.check(`${label}: azp is the client_id (several audiences)`, claims.azp === expected.clientId);
  }
  const now = Math.floor(Date.now() / 1000);
  run.check(
    `${label}: exp is a number in the future`,
    typeof claims.exp === 'number' && claims.exp > now - 60,
    `exp ${String(claims.exp)}, now ${now}`,
  );
  run.check(
    `${label}: iat is a number, not in the future`,
    typeof claims.iat === 'number' && claims.iat <= now + 60,
    `iat ${String(claims.iat)}, now ${now}`,
  );
  run.check(
    `${label}: sub is 1 to 255 ASCII characters (Core §2)`,
    typeof claims.sub === 'string' && /^[\x20-\x7e]{1,255}$/.test(claims.sub),
    `sub ${JSON.stringify(claims.sub)}`,
  );
  if (expected.nonce === undefined) {
    run.check(
      `${label}: no nonce, as none was sent`,
      claims.nonce === undefined,
      `nonce ${String(claims.nonce)}`,
    );
  } else {
    run.check(
      `${label}: nonce is the one sent`,
      claims.nonce === expected.nonce,
      `nonce ${String(claims.nonce)}`,
    );
  }
  if (claims.auth_time !== undefined) {
    run.check(
      `${label}: auth_time is a number, not in the future`,
      typeof claims.auth_time === 'number' && claims.auth_time <= now + 60,
      `auth_time ${String(claims.auth_time)}`,
    );
  }
  if (expected.accessToken !== undefined && claims.at_hash !== undefined) {
    run.check(
      `${label}: at_hash matches the access token (Core §3.1.3.6)`,
      claims.at_hash === halfHash(alg, expected.accessToken),
      `at_hash ${String(claims.at_hash)}`,
    );
  }
  return { claims, header };
}
