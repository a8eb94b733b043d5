import { describe, expect, it } from 'vitest';
import {
  ALGORITHMS,
  decode,
  generateKeyPair,
  generateSecret,
  type JwtError,
  sign,
  verify,
} from '../src/index.js';

describe('sign and verify', () => {
  for (const alg of ALGORITHMS) {
    it(`round-trips ${alg}`, () => {
      const pair = alg.startsWith('HS')
        ? { privateKey: generateSecret(alg), publicKey: undefined }
        : generateKeyPair(alg);
      const token = sign({ sub: 'u1' }, pair.privateKey, { expiresIn: '15m', audience: 'api' });
      const { header, payload } = verify(token, pair.publicKey ?? pair.privateKey, {
        algorithms: [alg],
        audience: 'api',
      });
      expect(header).toEqual({ alg, typ: 'JWT' });
      expect(payload.sub).toBe('u1');
      expect(payload.exp).toBe((payload.iat as number) + 900);
    });
  }

  it('sets claims from the helpers', () => {
    const key = generateSecret('HS256');
    const now = new Date('2026-01-01T00:00:00Z');
    const token = sign({ scope: 'a' }, key, {
      issuer: 'https://id.example',
      subject: 's',
      audience: ['a', 'b'],
      jwtId: 'j',
      notBefore: '1m',
      expiresIn: '7d',
      currentDate: () => now,
      kid: 'k1',
      typ: 'at+jwt',
    });
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' });
    expect(payload).toEqual({
      scope: 'a',
      iss: 'https://id.example',
      sub: 's',
      aud: ['a', 'b'],
      jti: 'j',
      iat: 1767225600,
      nbf: 1767225660,
      exp: 1767225600 + 7 * 86400,
    });
  });

  it('refuses to sign with a public key', () => {
    const { publicKey } = generateKeyPair('ES256');
    expect(() => sign({}, publicKey)).toThrow(
      expect.objectContaining({ code: 'ERR_OPTION_INVALID' }) as JwtError,
    );
  });
});
