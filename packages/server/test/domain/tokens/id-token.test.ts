/**
 * The ID token issuer (OpenID Connect Core §2, §3.1.3.6): its claims, its header, at_hash for each
 * hash the keyring's algorithms use, and no ID tokens at all in HMAC mode. Verified with jose.
 */
import { createHash } from 'node:crypto';
import { type Algorithm, exportJWK, generateKeyPair, type Key } from '@sesame/jwt';
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { atHash } from '../../../src/domain/tokens/at-hash.js';
import { createIdTokens } from '../../../src/domain/tokens/id-token.js';

const NOW = 1_700_000_000_000;
const SECRET = 'the-classic-shared-secret-32-bytes-long!';

/** An issuer over a keyring of `alg` (the configured one) and RS256, as the server's. */
function issuerFor(alg: Algorithm, values: Record<string, unknown> = {}) {
  const algorithms = [...new Set([alg, 'RS256' as const])];
  const pairs = new Map(algorithms.map((a) => [a as string, generateKeyPair(a, { kid: `k-${a}` })]));
  const config = loadConfig({ values: { logLevel: 'silent', ...values } });
  const keys = {
    algorithms,
    signingKey: (a: string = alg) => {
      const pair = pairs.get(a);
      if (!pair) throw new Error(`no ${a} key`);
      return pair.privateKey;
    },
  };
  const idTokens = createIdTokens({ config, keys, now: () => NOW });
  const jwks = createLocalJWKSet({
    keys: [...pairs].map(([a, { publicKey }]) => ({ ...exportJWK(publicKey), kid: `k-${a}`, alg: a }) as JWK),
  });
  return { idTokens, jwks, privateKey: keys.signingKey() };
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

  it('cuts the base64url digest at the right bit for every last character', () => {
    // The cut of a SHA-256 or SHA-512 half falls inside a character: over these tokens its kept
    // bits take every value, and each result must equal the halved digest encoded on its own.
    const half = (hash: string, token: string, bytes: number) =>
      createHash(hash).update(token).digest().subarray(0, bytes).toString('base64url');
    const lastCharacters = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const token = `eyJ${'x'.repeat(i % 37)}.${i}.sig`;
      expect(atHash(token, 'ES256')).toBe(half('sha256', token, 16));
      expect(atHash(token, 'RS384')).toBe(half('sha384', token, 24));
      expect(atHash(token, 'ES512')).toBe(half('sha512', token, 32));
      lastCharacters.add(atHash(token, 'ES256').at(-1)!);
    }
    expect([...lastCharacters].sort()).toEqual(['A', 'Q', 'g', 'w']);
  });

  it('signs at_hash with the algorithm of the key in use (an EdDSA keyring)', async () => {
    const { idTokens, jwks, privateKey } = issuerFor('EdDSA', { algorithm: 'EdDSA' });
    const token = idTokens.issue({ subject: 'u', clientId: 'web', accessToken: 'at', authTime: NOW });
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { currentDate: new Date(NOW) });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload.at_hash).toBe(atHash('at', 'EdDSA', (privateKey as Key).curve));
  });

  it("signs with the client's id_token_signed_response_alg: RS256, or the configured one by default", async () => {
    const { idTokens, jwks } = issuerFor('ES256');
    expect(idTokens.algorithm).toBe('ES256');
    expect(idTokens.algorithms).toEqual(['ES256', 'RS256']);
    const subject = { subject: 'u', clientId: 'web', accessToken: 'at', authTime: NOW };
    const rs = idTokens.issue({ ...subject, algorithm: 'RS256' });
    expect(decodeProtectedHeader(rs)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k-RS256' });
    const { payload } = await jwtVerify(rs, jwks, { algorithms: ['RS256'], currentDate: new Date(NOW) });
    expect(payload.at_hash).toBe(atHash('at', 'RS256'));
    for (const algorithm of [undefined, null]) {
      const token = idTokens.issue({ ...subject, algorithm });
      expect(decodeProtectedHeader(token).alg).toBe('ES256');
    }
    // The same signer again for the same key, and a second RS256 token verifies too.
    const again = idTokens.issue({ ...subject, algorithm: 'RS256' });
    expect((await jwtVerify(again, jwks, { currentDate: new Date(NOW) })).protectedHeader.kid).toBe(
      'k-RS256',
    );
  });

  it('refuses an algorithm the keyring does not sign with, as an OAuth error', () => {
    const { idTokens } = issuerFor('ES256');
    const subject = { subject: 'u', clientId: 'web', accessToken: 'at', authTime: NOW };
    for (const algorithm of ['PS256', 'HS256', 'none']) {
      expect(() => idTokens.issue({ ...subject, algorithm })).toThrow(
        expect.objectContaining({ error: 'unauthorized_client' }),
      );
    }
  });

  it('issues none when tokens are signed with a shared secret (classic, or HS256)', () => {
    for (const values of [
      { tokenProfile: 'classic', hmacSecret: SECRET },
      { algorithm: 'HS256', hmacSecret: SECRET },
    ]) {
      const { idTokens } = issuerFor('ES256', values);
      expect(idTokens.enabled).toBe(false);
      expect(idTokens.algorithms).toEqual([]);
      expect(() =>
        idTokens.issue({ subject: 'u', clientId: 'c', accessToken: 'a', authTime: null }),
      ).toThrow();
    }
    expect(issuerFor('ES256').idTokens.enabled).toBe(true);
  });
});
