import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  ALGORITHMS,
  createSigner,
  decode,
  generateKeyPair,
  generateSecret,
  importKey,
  type JwtError,
  type SignOptions,
  sign,
  verify,
} from '../src/index.js';
import { expectCode, NOW, NOW_DATE } from './helpers.js';

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

describe('sign: options', () => {
  const key = generateSecret('HS256', { kid: 'hk' });

  it('lets the fixed claims win over the payload and leaves out typ when asked', () => {
    const token = sign({ iss: 'forged', sub: 'forged', scope: 's' }, key, {
      issuer: 'real',
      subject: 'me',
      typ: null,
    });
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'HS256', kid: 'hk' });
    expect(payload.iss).toBe('real');
    expect(payload.sub).toBe('me');
    expect(payload.scope).toBe('s');
  });

  it('sets iat from a number, a Date, or not at all', () => {
    expect(decode(sign({}, key, { issuedAt: NOW })).payload.iat).toBe(NOW);
    expect(decode(sign({}, key, { issuedAt: NOW_DATE, expiresIn: 60 })).payload).toEqual({
      iat: NOW,
      exp: NOW + 60,
    });
    const without = decode(
      sign({}, key, { issuedAt: false, expiresIn: 60, currentDate: () => NOW_DATE }),
    ).payload;
    expect(without).toEqual({ exp: NOW + 60 });
  });

  it('does not let the payload or the header option change the algorithm', () => {
    const token = sign({ alg: 'none' } as never, key, { header: { cty: 'x' } });
    expect(decode(token).header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'hk', cty: 'x' });
    expectCode(() => sign({}, key, { header: { alg: 'none' } }), 'ERR_OPTION_INVALID');
  });

  it('a signer made once signs many tokens with its current clock', () => {
    let now = NOW;
    const signer = createSigner({ key, expiresIn: '1m', currentDate: () => new Date(now * 1000) });
    expect(decode(signer({ n: 1 })).payload).toEqual({ n: 1, iat: NOW, exp: NOW + 60 });
    now += 10;
    expect(decode(signer({ n: 2 })).payload).toEqual({ n: 2, iat: NOW + 10, exp: NOW + 70 });
  });

  const badOptions: [string, SignOptions][] = [
    ['expiresIn "soon"', { expiresIn: 'soon' }],
    ['expiresIn -1', { expiresIn: -1 }],
    ['notBefore "later"', { notBefore: 'later' }],
    ['issuer as a number', { issuer: 5 as never }],
    ['subject as a number', { subject: 5 as never }],
    ['jwtId as an object', { jwtId: {} as never }],
    ['audience as [1]', { audience: [1] as never }],
    ['audience as a number', { audience: 1 as never }],
    ['issuedAt as a string', { issuedAt: 'now' as never }],
    ['issuedAt NaN', { issuedAt: Number.NaN }],
    ['currentDate as a Date', { currentDate: NOW_DATE as never }],
    ['typ as a number', { typ: 1 as never }],
    ['kid as a number', { kid: 1 as never }],
    ['header as a string', { header: 'x' as never }],
    ['header with alg', { header: { alg: 'HS256' } }],
  ];
  for (const [what, options] of badOptions) {
    it(`refuses ${what} when the signer is made`, () => {
      expectCode(() => createSigner({ key, ...options }), 'ERR_OPTION_INVALID');
    });
  }

  it('refuses payloads that are not objects', () => {
    const signer = createSigner({ key });
    expect(decode(signer({ a: 1 })).payload.a).toBe(1);
    for (const payload of [null, [], 'x', 1]) {
      expectCode(() => signer(payload as never), 'ERR_OPTION_INVALID');
    }
  });

  it('refuses keys and algorithms that do not go together', () => {
    const es = generateKeyPair('ES256');
    expect(decode(sign({}, es.privateKey, { alg: 'ES256' })).header.alg).toBe('ES256');
    expectCode(() => sign({}, es.privateKey, { alg: 'RS256' }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => sign({}, es.privateKey, { alg: 'ES384' }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => sign({}, es.privateKey, { alg: 'none' as never }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => sign({}, importKey(Buffer.alloc(32, 7), 'HS256'), { alg: 'HS512' }), 'ERR_JWK_INVALID');
    expectCode(() => sign({}, { alg: 'HS256' } as never), 'ERR_OPTION_INVALID');
    expectCode(() => createSigner(null as never), 'ERR_OPTION_INVALID');
  });
});
