/**
 * DPoP proofs (RFC 9449 §4.2) for tests, attacks and benches, good or broken on purpose: a key pair
 * with its public JWK and thumbprint, and a proof maker whose every field can be overridden.
 */
import { randomUUID } from 'node:crypto';
import {
  type Algorithm,
  base64urlEncode,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type JWK,
  type Key,
  signJws,
  thumbprint,
} from '@sesame/jwt';
import { accessTokenHash } from '@sesame/protocol';

export interface DpopKey {
  privateKey: Key;
  /** The public JWK a proof carries. */
  jwk: JWK;
  /** Its RFC 7638 thumbprint: `cnf.jkt` of a token bound to it, `dpop_jkt` of a code. */
  jkt: string;
  /** A proof for one request; see ProofOptions for the broken variants. */
  proof(options: ProofOptions): string;
}

export interface ProofOptions {
  htm: string;
  htu: string;
  /** The access token presented with it: sets `ath` to its hash. */
  accessToken?: string;
  /** `ath` as given (e.g. another token's hash). */
  ath?: string;
  nonce?: string;
  /** Seconds (default now). */
  iat?: number;
  /** Default a random UUID. */
  jti?: string;
  /** Header `typ` (default dpop+jwt). */
  typ?: string;
  /** The header jwk (default the key's public JWK): another key's, or a private one. */
  jwk?: JWK;
  /** Claims to add or, with undefined, to remove. */
  claims?: Record<string, unknown>;
  /** 'none': unsigned; 'HS256': MACed with a random secret whose JWK goes in the header. */
  forge?: 'none' | 'HS256';
}

/**
 * @example const key = dpopKey(); const proof = key.proof({ htm: 'POST', htu: `${issuer}/oauth/token` });
 */
export function dpopKey(alg: Algorithm = 'ES256'): DpopKey {
  const { privateKey, publicKey } = generateKeyPair(alg);
  const { kid: _kid, alg: _alg, ...jwk } = exportJWK(publicKey);
  const key: DpopKey = {
    privateKey,
    jwk,
    jkt: thumbprint(jwk),
    proof: (options) => makeProof(key, options),
  };
  return key;
}

function makeProof(key: DpopKey, options: ProofOptions): string {
  const payload: Record<string, unknown> = {
    jti: options.jti ?? randomUUID(),
    htm: options.htm,
    htu: options.htu,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
  };
  if (options.accessToken !== undefined) payload.ath = accessTokenHash(options.accessToken);
  if (options.ath !== undefined) payload.ath = options.ath;
  if (options.nonce !== undefined) payload.nonce = options.nonce;
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  const header = { typ: options.typ ?? 'dpop+jwt', jwk: options.jwk ?? key.jwk };
  const body = JSON.stringify(payload);
  if (options.forge === 'none') {
    return `${base64urlEncode(JSON.stringify({ ...header, alg: 'none' }))}.${base64urlEncode(body)}.`;
  }
  if (options.forge === 'HS256') {
    const secret = generateSecret('HS256');
    const { alg: _alg, kid: _kid, ...oct } = exportJWK(secret, { private: true });
    return signJws(body, secret, { ...header, jwk: options.jwk ?? oct });
  }
  return signJws(body, key.privateKey, header);
}
