/**
 * The ID token issuer (OpenID Connect Core §2, §3.1.3.6): its claims, its header, at_hash for each
 * hash the keyring's algorithms use, and no ID tokens at all in HMAC mode. Verified with jose.
 */
import { createHash } from 'node:crypto';
import { type Algorithm, exportJWK, generateKeyPair, type Key } from '@sesame/jwt';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { atHash, createIdTokens } from '../../../src/domain/tokens/id-token.js';

const NOW = 1_700_000_000_000;
const SECRET = 'the-classic-shared-secret-32-bytes-long!';

function issuerFor(alg: Algorithm, values: Record<string, unknown> = {}) {
  const { privateKey, publicKey } = generateKeyPair(alg, { kid: `k-${alg}` });
  const config = loadConfig({ values: { logLevel: 'silent', ...values } });
  const idTokens = createIdTokens({ config, keys: { signingKey: () => privateKey }, now: () => NOW });
  const jwks = createLocalJWKSet({ keys: [{ ...exportJWK(publicKey), kid: `k-${alg}`, alg } as JWK] });
  return { idTokens, jwks, privateKey };
}

describe('ID tokens', () => {
  it('carries every claim, signed with the current key, typ JWT', async () => {
    const { idTokens, jwks } = issuerFor('ES256');
    const token = idTokens.issue({
      subject: 'u-1',
      clientId: 'web',
      accessToken: 'an access token',
      authTime: NOW - 90_500,
      nonce: 'n-0 +/=',
      sessionId: 'family-1',
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'k-ES256' });
    const { payload } = await jwtVerify(token, jwks, {
      issuer: 'http://127.0.0.1:8080',
      audience: 'web',
      currentDate: new Date(NOW),
    });
    const iat = NOW / 1000;
    expect(payload).toEqual({
      iss: 'http://127.0.0.1:8080',
      sub: 'u-1',
      aud: 'web',
      exp: iat + 15 * 60, // the access token's life (the default 15 minutes)
      iat,
      auth_time: Math.floor((NOW - 90_500) / 1000),
      nonce: 'n-0 +/=',
      azp: 'web',
      amr: ['pwd'],
      acr: 'urn:sesame:acr:pwd',
      sid: 'family-1',
      at_hash: atHash('an access token', 'ES256'),
    });
  });

  it('leaves out nonce, sid and auth_time when there are none', async () => {
    const { idTokens, jwks } = issuerFor('ES256');
    const token = idTokens.issue({ subject: 'u-1', clientId: 'web', accessToken: 'a', authTime: null });
    const { payload } = await jwtVerify(token, jwks, { currentDate: new Date(NOW) });
    expect(Object.keys(payload)).toEqual(['iss', 'sub', 'aud', 'exp', 'iat', 'azp', 'amr', 'acr', 'at_hash']);
  });

  it('computes at_hash with the hash of the alg: the left half, base64url', () => {
    // OpenID Connect Core 1.0 Appendix A.4: this access token's at_hash under RS256.
    expect(atHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
    const half = (hash: string, bytes: number) =>
      createHash(hash).update('token').digest().subarray(0, bytes).toString('base64url');
    expect(atHash('token', 'ES384')).toBe(half('sha384', 24));
    expect(atHash('token', 'PS512')).toBe(half('sha512', 32));
    expect(atHash('token', 'EdDSA', 'Ed25519')).toBe(half('sha512', 32));
    expect(() => atHash('token', 'EdDSA', 'Ed448')).toThrow();
  });

  it('signs at_hash with the algorithm of the key in use (an EdDSA keyring)', async () => {
    const { idTokens, jwks, privateKey } = issuerFor('EdDSA', { algorithm: 'EdDSA' });
    const token = idTokens.issue({ subject: 'u', clientId: 'web', accessToken: 'at', authTime: NOW });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { currentDate: new Date(NOW) });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload.at_hash).toBe(atHash('at', 'EdDSA', (privateKey as Key).curve));
  });

  it('issues none when tokens are signed with a shared secret (classic, or HS256)', () => {
    for (const values of [
      { tokenProfile: 'classic', hmacSecret: SECRET },
      { algorithm: 'HS256', hmacSecret: SECRET },
    ]) {
      const { idTokens } = issuerFor('ES256', values);
      expect(idTokens.enabled).toBe(false);
      expect(() =>
        idTokens.issue({ subject: 'u', clientId: 'c', accessToken: 'a', authTime: null }),
      ).toThrow();
    }
    expect(issuerFor('ES256').idTokens.enabled).toBe(true);
  });
});
