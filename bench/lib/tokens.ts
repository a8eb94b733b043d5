/**
 * Checks before timing: every contender's token endpoint must hand out a real RFC 9068 access
 * token — ES256, `typ: at+jwt`, the issuer, the audience, the client as `sub` and `client_id`, a
 * future `exp` — verified with jose (not with our own library) against the contender's own keys.
 * A contender that answered fast with something else would otherwise win.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';

export interface BenchKey {
  /** The private JWK (with kid), for the processes that sign. */
  privateJwk: Record<string, unknown>;
  /** The public JWK set. */
  jwks: JSONWebKeySet;
  kid: string;
}

/** A fresh ES256 key pair as JWKs. */
export function makeEs256Key(kid = 'bench-es256'): BenchKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256' };
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  return { privateJwk, jwks: { keys: [publicJwk as JSONWebKeySet['keys'][number]] }, kid };
}

/** Fetches a JWKS document. */
export async function fetchJwks(url: string): Promise<JSONWebKeySet> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as JSONWebKeySet;
}

/**
 * Verifies one access token as RFC 9068 says it must look; returns its claim names (sorted) for
 * the report, throws when anything is off.
 */
export async function checkAccessToken(
  who: string,
  token: unknown,
  expected: { jwks: JSONWebKeySet; issuer: string; audience: string; clientId: string; scope: string },
): Promise<string[]> {
  if (typeof token !== 'string') throw new Error(`${who}: no access_token in the response`);
  try {
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(expected.jwks), {
      algorithms: ['ES256'],
      typ: 'at+jwt',
      issuer: expected.issuer,
      audience: expected.audience,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
    });
    if (payload.sub !== expected.clientId || payload.client_id !== expected.clientId) {
      throw new Error('sub and client_id must be the client');
    }
    if (payload.scope !== expected.scope) throw new Error(`scope is ${String(payload.scope)}`);
    if (protectedHeader.kid === undefined) throw new Error('no kid');
    return Object.keys(payload).sort();
  } catch (error) {
    throw new Error(
      `${who}: the access token is not what the benchmark asks for: ${(error as Error).message}`,
    );
  }
}
