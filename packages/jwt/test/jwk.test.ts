import { Buffer } from 'node:buffer';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  importKey,
  type JWK,
  sign,
  thumbprint,
  thumbprintUri,
  verify,
} from '../src/index.js';
import { expectCode } from './helpers.js';

const jwkOf = (key: import('node:crypto').KeyObject) => key.export({ format: 'jwk' }) as JWK;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublic = jwkOf(rsa.publicKey);
const rsaPrivate = jwkOf(rsa.privateKey);
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPublic = jwkOf(ec.publicKey);
const ecPrivate = jwkOf(ec.privateKey);
const ec384Public = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
const edPublic = jwkOf(generateKeyPairSync('ed25519').publicKey);

/** Base64url of the value with its byte length changed by `delta` (a leading byte added or dropped). */
function resized(value: string, delta: 1 | -1): string {
  const bytes = Buffer.from(value, 'base64url');
  return (delta === 1 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes.subarray(1)).toString('base64url');
}

describe('importJWK', () => {
  it('imports public and private keys of every kty', () => {
    expect(importJWK(rsaPublic, 'RS256').type).toBe('public');
    expect(importJWK(rsaPrivate, 'PS512').type).toBe('private');
    expect(importJWK(ecPublic, 'ES256').curve).toBe('P-256');
    expect(importJWK(ecPrivate, 'ES256').type).toBe('private');
    expect(importJWK(edPublic, 'EdDSA').curve).toBe('Ed25519');
    expect(importJWK({ kty: 'oct', k: randomBytes(32).toString('base64url') }, 'HS256').type).toBe('secret');
  });

  it('infers the algorithm from alg or crv, and refuses to guess for RSA and oct', () => {
    expect(importJWK(ecPublic).alg).toBe('ES256');
    expect(importJWK(ec384Public).alg).toBe('ES384');
    expect(importJWK(edPublic).alg).toBe('EdDSA');
    expect(importJWK({ ...rsaPublic, alg: 'PS256' }).alg).toBe('PS256');
    expectCode(() => importJWK(rsaPublic), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ kty: 'oct', k: randomBytes(32).toString('base64url') }), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...rsaPublic, alg: 'none' }), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('refuses a kty that does not match the algorithm', () => {
    expectCode(() => importJWK(rsaPublic, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK(ecPublic, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK(ecPublic, 'EdDSA'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK(edPublic, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(
      () => importJWK({ kty: 'oct', k: randomBytes(64).toString('base64url') }, 'RS256'),
      'ERR_JWK_INVALID',
    );
    expectCode(() => importJWK(rsaPublic, 'HS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...rsaPublic, kty: 'rsa' }, 'RS256'), 'ERR_JWK_INVALID');
  });

  it('refuses a JWK alg that differs from the requested algorithm', () => {
    expect(importJWK({ ...rsaPublic, alg: 'RS256' }, 'RS256').alg).toBe('RS256');
    expectCode(() => importJWK({ ...rsaPublic, alg: 'RS384' }, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...rsaPublic, alg: 'PS256' }, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, alg: 'ES384' }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...rsaPublic, alg: 256 as never }, 'RS256'), 'ERR_JWK_INVALID');
  });

  it('refuses a curve that does not match the algorithm', () => {
    expect(importJWK(ec384Public, 'ES384').curve).toBe('P-384');
    expectCode(() => importJWK(ec384Public, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK(ecPublic, 'ES384'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, crv: 'secp256k1' }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, crv: 'Ed25519' }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...edPublic, crv: 'X25519' }, 'EdDSA'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...edPublic, crv: 'P-256' }, 'EdDSA'), 'ERR_JWK_INVALID');
  });

  it('refuses keys published for encryption (use)', () => {
    expect(importJWK({ ...ecPublic, use: 'sig' }, 'ES256').type).toBe('public');
    expectCode(() => importJWK({ ...ecPublic, use: 'enc' }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, use: 'SIG' }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, use: 1 as never }, 'ES256'), 'ERR_JWK_INVALID');
  });

  it('refuses key_ops without a signature operation and ignores values it does not know', () => {
    expect(importJWK({ ...ecPublic, key_ops: ['verify'] }, 'ES256').type).toBe('public');
    expect(importJWK({ ...ecPublic, key_ops: ['verify', 'frobnicate'] }, 'ES256').type).toBe('public');
    expect(importJWK({ ...ecPrivate, key_ops: ['sign'] }, 'ES256').type).toBe('private');
    expectCode(() => importJWK({ ...ecPublic, key_ops: ['encrypt'] }, 'ES256'), 'ERR_JWK_INVALID');
    expect(importJWK({ ...ecPublic, key_ops: ['frobnicate'] }, 'ES256').type).toBe('public');
    expectCode(
      () => importJWK({ ...ecPublic, key_ops: ['encrypt', 'frobnicate'] }, 'ES256'),
      'ERR_JWK_INVALID',
    );
    expectCode(() => importJWK({ ...ecPublic, key_ops: [] }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, key_ops: ['sign'] }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, key_ops: 'verify' as never }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, key_ops: [1] as never }, 'ES256'), 'ERR_JWK_INVALID');
  });

  it('refuses coordinates of the wrong length', () => {
    for (const name of ['x', 'y'] as const) {
      expectCode(
        () => importJWK({ ...ecPublic, [name]: resized(ecPublic[name]!, 1) }, 'ES256'),
        'ERR_JWK_INVALID',
      );
      expectCode(
        () => importJWK({ ...ecPublic, [name]: resized(ecPublic[name]!, -1) }, 'ES256'),
        'ERR_JWK_INVALID',
      );
    }
    expectCode(() => importJWK({ ...ecPrivate, d: resized(ecPrivate.d!, -1) }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...edPublic, x: resized(edPublic.x!, 1) }, 'EdDSA'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...edPublic, x: resized(edPublic.x!, -1) }, 'EdDSA'), 'ERR_JWK_INVALID');
  });

  it('refuses a point that is not on the curve', () => {
    const y = Buffer.from(ecPublic.y!, 'base64url');
    y[31]! ^= 1;
    expectCode(() => importJWK({ ...ecPublic, y: y.toString('base64url') }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...ecPublic, x: ecPublic.y, y: ecPublic.x }, 'ES256'), 'ERR_JWK_INVALID');
  });

  it('refuses members that are missing, empty or not strict base64url', () => {
    const { y: _y, ...noY } = ecPublic;
    expectCode(() => importJWK(noY, 'ES256'), 'ERR_JWK_INVALID');
    const { n: _n, ...noN } = rsaPublic;
    expectCode(() => importJWK(noN, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...rsaPublic, e: '' }, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...rsaPublic, e: 'AQAB=' }, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(
      () =>
        importJWK({ ...rsaPublic, n: rsaPublic.n!.replace(/-/g, '+').replace(/_/g, '/') + 'A+' }, 'RS256'),
      'ERR_JWK_INVALID',
    );
    expectCode(() => importJWK({ ...ecPublic, x: 7 as never }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ kty: 'oct' }, 'HS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ kty: 'oct', k: 'a b' }, 'HS256'), 'ERR_JWK_INVALID');
  });

  it('refuses RSA private keys with a missing member, and multi-prime keys', () => {
    expect(importJWK(rsaPrivate, 'RS256').type).toBe('private');
    for (const name of ['p', 'q', 'dp', 'dq', 'qi']) {
      const partial: JWK = { ...rsaPrivate };
      delete partial[name];
      expectCode(() => importJWK(partial, 'RS256'), 'ERR_JWK_INVALID');
    }
    expectCode(
      () => importJWK({ ...rsaPrivate, oth: [{ r: 'AQAB', d: 'AQAB', t: 'AQAB' }] }, 'RS256'),
      'ERR_JOSE_NOT_SUPPORTED',
    );
  });

  it('refuses what is not a JWK object', () => {
    for (const value of [null, 'x', 42, [], [rsaPublic]]) {
      expectCode(() => importJWK(value as never, 'RS256'), 'ERR_JWK_INVALID');
    }
    expectCode(() => importJWK({ n: rsaPublic.n, e: 'AQAB' }, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...rsaPublic, kty: 'XYZ' }, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...rsaPublic, kid: 5 as never }, 'RS256'), 'ERR_JWK_INVALID');
  });
});

describe('exportJWK', () => {
  it('exports the public part by default and the private part only when asked', () => {
    const { privateKey, publicKey } = generateKeyPair('ES256', { kid: 'e1' });
    const published = exportJWK(privateKey);
    expect(published).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      alg: 'ES256',
      kid: 'e1',
    });
    expect(published.d).toBeUndefined();
    expect(exportJWK(publicKey)).toEqual(published);
    const full = exportJWK(privateKey, { private: true });
    expect(typeof full.d).toBe('string');
    // What is exported imports back and still works.
    const token = sign({ sub: 'x' }, importJWK(full), {});
    expect(verify(token, importJWK(published), { algorithms: ['ES256'] }).payload.sub).toBe('x');
  });

  it('refuses to export a secret unless private is asked', () => {
    const secret = generateSecret('HS256', { kid: 's1' });
    expectCode(() => exportJWK(secret), 'ERR_OPTION_INVALID');
    expectCode(() => exportJWK(secret, { private: false }), 'ERR_OPTION_INVALID');
    const jwk = exportJWK(secret, { private: true });
    expect(jwk).toEqual({ kty: 'oct', k: expect.any(String), alg: 'HS256', kid: 's1' });
    expect(Buffer.from(jwk.k!, 'base64url')).toEqual(secret.keyObject.export());
  });

  it('takes Keys only', () => {
    expectCode(() => exportJWK(ec.publicKey as never), 'ERR_OPTION_INVALID');
    expectCode(() => exportJWK(ecPublic as never), 'ERR_OPTION_INVALID');
  });
});

describe('thumbprint (RFC 7638) and thumbprintUri (RFC 9278)', () => {
  // RFC 7638 §3.1, the example RSA key and its SHA-256 thumbprint.
  const rfcKey: JWK = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  };
  const rfcThumbprint = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

  it('matches the RFC 7638 §3.1 example', () => {
    expect(thumbprint(rfcKey)).toBe(rfcThumbprint);
  });

  it('ignores non-required members and member order', () => {
    expect(thumbprint({ e: 'AQAB', n: rfcKey.n, kty: 'RSA' })).toBe(rfcThumbprint);
    expect(thumbprint({ ...rfcKey, use: 'sig', key_ops: ['verify'], x5c: [] })).toBe(rfcThumbprint);
    expect(thumbprint({ ...rfcKey, e: 'AAEAAQ' })).not.toBe(rfcThumbprint);
  });

  it('works on Keys: a private key has the thumbprint of its public key', () => {
    const imported = importJWK(rfcKey, 'RS256');
    expect(thumbprint(imported)).toBe(rfcThumbprint);
    const { privateKey, publicKey } = generateKeyPair('EdDSA');
    expect(thumbprint(privateKey)).toBe(thumbprint(publicKey));
    expect(thumbprint(publicKey)).toBe(thumbprint(exportJWK(publicKey)));
    const secret = generateSecret('HS256');
    expect(thumbprint(secret)).toBe(thumbprint(exportJWK(secret, { private: true })));
  });

  it('supports SHA-384 and SHA-512', () => {
    expect(thumbprint(rfcKey, 'sha384')).toHaveLength(64);
    expect(thumbprint(rfcKey, 'sha512')).toHaveLength(86);
  });

  it('refuses unknown kty and missing required members', () => {
    expectCode(() => thumbprint({ kty: 'XYZ' }), 'ERR_JWK_INVALID');
    expectCode(() => thumbprint({ kty: 'RSA', n: rfcKey.n }), 'ERR_JWK_INVALID');
    expectCode(() => thumbprint({ kty: 'EC', crv: 'P-256', x: ecPublic.x }), 'ERR_JWK_INVALID');
    expectCode(() => thumbprint({ kty: 'RSA', n: rfcKey.n, e: 65537 as never }), 'ERR_JWK_INVALID');
    expectCode(() => thumbprint(null as never), 'ERR_JWK_INVALID');
  });

  it('forms the RFC 9278 URI', () => {
    expect(thumbprintUri(rfcKey)).toBe(`urn:ietf:params:oauth:jwk-thumbprint:sha-256:${rfcThumbprint}`);
    expect(thumbprintUri(rfcKey, 'sha512')).toBe(
      `urn:ietf:params:oauth:jwk-thumbprint:sha-512:${thumbprint(rfcKey, 'sha512')}`,
    );
  });
});

describe('importKey with JWKs checks the same things', () => {
  it('applies use and key_ops through importKey too', () => {
    expectCode(() => importKey({ ...ecPublic, use: 'enc' }, 'ES256'), 'ERR_JWK_INVALID');
    expectCode(
      () => importKey(JSON.stringify({ ...ecPublic, key_ops: ['encrypt'] }), 'ES256'),
      'ERR_JWK_INVALID',
    );
    expect(importKey(JSON.stringify({ ...ecPublic, use: 'sig' }), 'ES256').type).toBe('public');
  });
});
