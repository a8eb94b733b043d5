/**
 * Encrypted JWTs: the claims set encrypted, and nested JWTs (sign, then encrypt; decrypt, then
 * verify, RFC 7519 §5.2 and §A.2), with the claim checks of `verify`; decryption key sets.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  createJwtDecrypter,
  createJwtEncrypter,
  createLocalKeySet,
  decrypt,
  decryptJwt,
  encrypt,
  encryptJwt,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type JWK,
} from '../src/index.js';
import { expectCode } from './helpers.js';

const recipient = generateKeyPair('ECDH-ES+A256KW', { kid: 'enc-1' });
const issuer = generateKeyPair('ES256', { kid: 'sig-1' });
const NOW = new Date('2026-01-01T00:00:00Z');
const ENC = {
  keyManagementAlgorithms: ['ECDH-ES+A256KW'],
  contentEncryptionAlgorithms: ['A256GCM'],
} as const;
const NESTED = {
  ...ENC,
  verificationKey: issuer.publicKey,
  algorithms: ['ES256'],
  currentDate: NOW,
} as const;

function header(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}

describe('nested JWTs', () => {
  const makeToken = createJwtEncrypter({
    key: recipient.publicKey,
    enc: 'A256GCM',
    signingKey: issuer.privateKey,
    issuer: 'https://id.example',
    audience: 'client-1',
    expiresIn: '5m',
    currentDate: () => NOW,
  });

  it('sign then encrypt with cty JWT; decrypt then verify, with the claim checks of verify', () => {
    const token = makeToken({ sub: 'u1' });
    expect(header(token)).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT', kid: 'enc-1' });
    const result = decryptJwt(token, recipient.privateKey, {
      ...NESTED,
      issuer: 'https://id.example',
      audience: 'client-1',
    });
    expect(result.payload).toMatchObject({ sub: 'u1', iss: 'https://id.example', aud: 'client-1' });
    expect(result.signature?.header).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: 'sig-1' });
    expect(result.signature?.key).toBe(issuer.publicKey);
    expect(result.key).toBe(recipient.privateKey);
  });

  it('the claims are checked: audience, issuer, expiry', () => {
    const token = makeToken({ sub: 'u1' });
    expectCode(
      () => decryptJwt(token, recipient.privateKey, { ...NESTED, audience: 'other' }),
      'ERR_JWT_AUDIENCE',
    );
    expectCode(
      () => decryptJwt(token, recipient.privateKey, { ...NESTED, issuer: 'https://evil' }),
      'ERR_JWT_ISSUER',
    );
    const later = new Date(NOW.getTime() + 10 * 60_000);
    expectCode(
      () => decryptJwt(token, recipient.privateKey, { ...NESTED, currentDate: later }),
      'ERR_JWT_EXPIRED',
    );
  });

  it('the inner signature must verify with the given key and algorithms', () => {
    const token = makeToken({ sub: 'u1' });
    const stranger = generateKeyPair('ES256');
    expectCode(
      () => decryptJwt(token, recipient.privateKey, { ...NESTED, verificationKey: stranger.publicKey }),
      'ERR_JWS_SIGNATURE',
    );
    expectCode(
      () => decryptJwt(token, recipient.privateKey, { ...NESTED, algorithms: ['ES384'] }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    expectCode(
      () => decryptJwt(token, recipient.privateKey, { ...NESTED, algorithms: undefined }),
      'ERR_OPTION_INVALID',
    );
  });

  it('an inner JWS with alg none is refused', () => {
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'admin' }),
    ).toString('base64url')}.`;
    const token = encrypt(unsigned, recipient.publicKey, { enc: 'A256GCM', cty: 'JWT' });
    expectCode(() => decryptJwt(token, recipient.privateKey, NESTED), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('where a signature is expected, an encrypted but unsigned claims set is refused', () => {
    const token = encryptJwt({ sub: 'admin' }, recipient.publicKey, { enc: 'A256GCM' });
    expectCode(() => decryptJwt(token, recipient.privateKey, NESTED), 'ERR_JWE_INVALID');
    // Saying cty JWT over a claims set does not help: it is not a JWS.
    const lying = encrypt(JSON.stringify({ sub: 'admin' }), recipient.publicKey, {
      enc: 'A256GCM',
      cty: 'JWT',
    });
    expectCode(() => decryptJwt(lying, recipient.privateKey, NESTED), 'ERR_JWS_INVALID');
  });

  it('a nested JWT is refused where no verification key is given (its signature would go unchecked)', () => {
    expectCode(() => decryptJwt(makeToken({ sub: 'u1' }), recipient.privateKey, ENC), 'ERR_JWE_INVALID');
  });

  it('a nested JWT cannot be given another cty', () => {
    expectCode(
      () =>
        createJwtEncrypter({
          key: recipient.publicKey,
          enc: 'A256GCM',
          signingKey: issuer.privateKey,
          cty: 'json',
        }),
      'ERR_OPTION_INVALID',
    );
    expectCode(
      () => createJwtEncrypter({ key: recipient.publicKey, enc: 'A256GCM', signingKey: {} as never }),
      'ERR_OPTION_INVALID',
    );
  });
});

describe('encrypted claims sets', () => {
  it('typ JWT, the claims written as by sign, checked as by verify', () => {
    const token = encryptJwt({ sub: 'u1' }, recipient.publicKey, {
      enc: 'A256GCM',
      audience: 'api',
      expiresIn: 60,
      currentDate: () => NOW,
    });
    expect(header(token)).toMatchObject({ typ: 'JWT' });
    const decrypter = createJwtDecrypter({
      ...ENC,
      key: recipient.privateKey,
      audience: 'api',
      typ: 'JWT',
      currentDate: NOW,
    });
    expect(decrypter(token).payload).toEqual({
      sub: 'u1',
      aud: 'api',
      iat: NOW.getTime() / 1000,
      exp: NOW.getTime() / 1000 + 60,
    });
    expectCode(
      () => decryptJwt(token, recipient.privateKey, { ...ENC, audience: 'web', currentDate: NOW }),
      'ERR_JWT_AUDIENCE',
    );
    expectCode(
      () => decryptJwt(token, recipient.privateKey, { ...ENC, typ: 'at+jwt', currentDate: NOW }),
      'ERR_JWT_CLAIM_INVALID',
      'typ',
    );
  });

  it('a plaintext that is not a JSON object is refused', () => {
    const token = encrypt('[1,2]', recipient.publicKey, { enc: 'A256GCM' });
    expectCode(() => decryptJwt(token, recipient.privateKey, ENC), 'ERR_JWT_INVALID');
  });
});

describe('decryption key sets', () => {
  const rsa = generateKeyPair('RSA-OAEP-256', { kid: 'rsa-1' });
  const p384 = generateKeyPair('ECDH-ES', { crv: 'P-384', kid: 'ec-384' });
  const wrap = generateSecret('A128KW', { kid: 'kw-1' });
  const jwks = {
    keys: [
      exportJWK(recipient.privateKey, { private: true }),
      exportJWK(rsa.privateKey, { private: true }),
      exportJWK(p384.privateKey, { private: true }),
      exportJWK(wrap, { private: true }),
      {
        ...exportJWK(generateKeyPair('ES256').privateKey, { private: true }),
        kid: 'signing',
        use: 'sig',
      } as JWK,
    ],
  };
  const keys = createLocalKeySet(jwks, { use: 'enc' });
  const ALL_ENC = {
    keyManagementAlgorithms: ['ECDH-ES+A256KW', 'RSA-OAEP-256', 'ECDH-ES', 'A128KW'],
    contentEncryptionAlgorithms: ['A256GCM', 'A128CBC-HS256'],
  } as const;

  it('selects by kid, alg and the epk curve', () => {
    for (const [key, kid] of [
      [recipient.publicKey, 'enc-1'],
      [rsa.publicKey, 'rsa-1'],
      [p384.publicKey, 'ec-384'],
      [wrap, 'kw-1'],
    ] as const) {
      const token = encrypt('hi', key, { enc: 'A256GCM' });
      const result = decrypt(token, keys, ALL_ENC);
      expect(result.plaintext.toString()).toBe('hi');
      expect(result.key.kid).toBe(kid);
      // Without a kid the alg and the curve still find the key.
      const anonymous = encrypt('hi', key, { enc: 'A256GCM', kid: undefined, header: {} });
      expect(decrypt(anonymous, keys, ALL_ENC).plaintext.toString()).toBe('hi');
    }
  });

  it('an unknown kid, or a key for another curve, finds nothing', () => {
    const token = encrypt('hi', recipient.publicKey, { enc: 'A256GCM', kid: 'nobody' });
    expectCode(() => decrypt(token, keys, ALL_ENC), 'ERR_JWKS_NO_MATCH');
    const p521 = generateKeyPair('ECDH-ES', { crv: 'P-521' });
    expectCode(
      () => decrypt(encrypt('hi', p521.publicKey, { enc: 'A256GCM' }), keys, ALL_ENC),
      'ERR_JWKS_NO_MATCH',
    );
  });

  it('a key meant for signatures is never selected, and a public key cannot decrypt', () => {
    const signingOnly = createLocalKeySet({ keys: [jwks.keys[4]!] }, { use: 'enc' });
    expectCode(
      () =>
        decrypt(encrypt('hi', recipient.publicKey, { enc: 'A256GCM', kid: 'signing' }), signingOnly, ALL_ENC),
      'ERR_JWKS_NO_MATCH',
    );
    const publicOnly = createLocalKeySet({ keys: [exportJWK(recipient.publicKey)] }, { use: 'enc' });
    expectCode(
      () => decrypt(encrypt('hi', recipient.publicKey, { enc: 'A256GCM' }), publicOnly, ALL_ENC),
      'ERR_JWKS_NO_MATCH',
    );
  });

  it('a direct key that names its enc serves that enc only', () => {
    const cek = generateSecret('dir', { enc: 'A256GCM' });
    const named = createLocalKeySet(
      { keys: [{ ...exportJWK(cek, { private: true }), alg: 'A256GCM' }] },
      { use: 'enc' },
    );
    const dirAll = {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM', 'A128CBC-HS256'],
    } as const;
    expect(decrypt(encrypt('hi', cek, { enc: 'A256GCM' }), named, dirAll).plaintext.toString()).toBe('hi');
    // The same 32 bytes would make an A128CBC-HS256 key; the set does not lend them to it.
    expectCode(
      () => decrypt(encrypt('hi', cek, { enc: 'A128CBC-HS256' }), named, dirAll),
      'ERR_JWKS_NO_MATCH',
    );
  });

  it('a duplicate kid is refused; a signing key set still refuses private keys', () => {
    expectCode(
      () => createLocalKeySet({ keys: [jwks.keys[0]!, jwks.keys[0]!] }, { use: 'enc' }),
      'ERR_JWK_INVALID',
    );
    expectCode(() => createLocalKeySet({ keys: [jwks.keys[0]!] }), 'ERR_JWK_INVALID');
  });

  it('a nested JWT with a decryption key set and a verification key set', () => {
    const token = encryptJwt({ sub: 'u1' }, rsa.publicKey, { enc: 'A256GCM', signingKey: issuer.privateKey });
    const issuerKeys = createLocalKeySet({ keys: [exportJWK(issuer.publicKey)] });
    const { payload } = decryptJwt(token, keys, {
      ...ALL_ENC,
      verificationKey: issuerKeys,
      algorithms: ['ES256'],
    });
    expect(payload.sub).toBe('u1');
  });
});
