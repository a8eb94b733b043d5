/**
 * JWE (RFC 7516/7518): every check of encrypt and decrypt, each seen failing. Interoperability
 * with jose and jwcrypto is in jwe-interop.test.ts; the third-party vectors run in
 * `npm run conformance`.
 */
import { Buffer } from 'node:buffer';
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  type ContentEncryptionAlgorithm,
  createDecrypter,
  createEncrypter,
  decrypt,
  encrypt,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  importKey,
  KEY_MANAGEMENT_ALGORITHMS,
  type Key,
  type KeyManagementAlgorithm,
} from '../src/index.js';
import { concatKdf } from '../src/lib/concat-kdf.js';
import { parseEpk } from '../src/lib/ecdh.js';
import { expectCode } from './helpers.js';

const ALL = {
  keyManagementAlgorithms: KEY_MANAGEMENT_ALGORITHMS,
  contentEncryptionAlgorithms: CONTENT_ENCRYPTION_ALGORITHMS,
};

const oaep = generateKeyPair('RSA-OAEP-256');
const ecdh = generateKeyPair('ECDH-ES+A256KW');
const kw = generateSecret('A128KW');

/** A compact JWE with one of its five parts replaced. */
function withPart(token: string, index: number, value: string): string {
  const parts = token.split('.');
  parts[index] = value;
  return parts.join('.');
}

function header(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}

function withHeader(token: string, change: Record<string, unknown>): string {
  return withPart(
    token,
    0,
    Buffer.from(JSON.stringify({ ...header(token), ...change })).toString('base64url'),
  );
}

describe('round trips', () => {
  for (const alg of KEY_MANAGEMENT_ALGORITHMS) {
    it(`${alg} with every enc`, () => {
      for (const enc of CONTENT_ENCRYPTION_ALGORITHMS) {
        const pair: { privateKey: Key<KeyManagementAlgorithm>; publicKey: Key<KeyManagementAlgorithm> } =
          alg.startsWith('RSA') || alg.startsWith('ECDH')
            ? alg.startsWith('RSA')
              ? oaep
              : ecdh
            : { privateKey: generateSecret(alg, { enc }), publicKey: generateSecret(alg, { enc }) };
        const secret = pair.privateKey.type === 'secret';
        const token = encrypt('hello', secret ? pair.privateKey : pair.publicKey, { alg, enc });
        expect(header(token)).toMatchObject({ alg, enc });
        const { plaintext } = decrypt(token, pair.privateKey, ALL);
        expect(plaintext.toString()).toBe('hello');
      }
    });
  }

  it('ECDH-ES on P-384, P-521 and X25519, with apu and apv', () => {
    for (const crv of ['P-384', 'P-521', 'X25519'] as const) {
      const { privateKey, publicKey } = generateKeyPair('ECDH-ES', { crv });
      const token = encrypt(Buffer.from([1, 2, 3]), publicKey, {
        enc: 'A128CBC-HS256',
        apu: Buffer.from('Alice'),
        apv: Buffer.from('Bob'),
      });
      expect(header(token)).toMatchObject({ apu: 'QWxpY2U', apv: 'Qm9i', epk: { crv } });
      expect([...decrypt(token, privateKey, ALL).plaintext]).toEqual([1, 2, 3]);
      // apu/apv enter the key derivation: changing them changes the key.
      expectCode(
        () => decrypt(withHeader(token, { apu: 'Qm9i' }), privateKey, ALL),
        'ERR_JWE_DECRYPTION_FAILED',
      );
    }
  });

  it('a fresh CEK, IV and ephemeral key for every token', () => {
    const encryptFor = createEncrypter({ key: ecdh.publicKey, enc: 'A256GCM' });
    const a = encryptFor('same');
    const b = encryptFor('same');
    expect(header(a).epk).not.toEqual(header(b).epk);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('the Concat KDF gives RFC 7518 appendix C', () => {
    const alice = createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: 'gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0',
        y: 'SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps',
        d: '0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo',
      },
    });
    const bob = createPublicKey({
      format: 'jwk',
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: 'weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ',
        y: 'e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck',
      },
    });
    const z = diffieHellman({ privateKey: alice, publicKey: bob });
    const derived = concatKdf(z, 16, 'A128GCM', Buffer.from('Alice'), Buffer.from('Bob'));
    expect(derived.toString('base64url')).toBe('VqqN6vgjbSBcIijNcacQGg');
    expect(concatKdf(z, 16, 'A128GCM', Buffer.from('Alice'), Buffer.alloc(0)).toString('base64url')).not.toBe(
      'VqqN6vgjbSBcIijNcacQGg',
    );
  });
});

describe('the authentication tag', () => {
  for (const enc of CONTENT_ENCRYPTION_ALGORITHMS) {
    it(`${enc}: a flipped bit, a truncated tag, a longer tag, another ciphertext all fail the same way`, () => {
      const token = encrypt('hello world', kw, { enc });
      const tag = Buffer.from(token.split('.')[4]!, 'base64url');
      const flipped = Buffer.from(tag);
      flipped[0]! ^= 1;
      for (const bad of [
        flipped,
        tag.subarray(0, tag.length - 1),
        tag.subarray(0, 4),
        Buffer.concat([tag, tag]),
      ]) {
        expectCode(
          () => decrypt(withPart(token, 4, bad.toString('base64url')), kw, ALL),
          'ERR_JWE_DECRYPTION_FAILED',
        );
      }
      const ciphertext = Buffer.from(token.split('.')[3]!, 'base64url');
      ciphertext[0]! ^= 1;
      expectCode(
        () => decrypt(withPart(token, 3, ciphertext.toString('base64url')), kw, ALL),
        'ERR_JWE_DECRYPTION_FAILED',
      );
      // The header is the AAD: a changed header (here only its kid) fails the tag.
      expectCode(() => decrypt(withHeader(token, { kid: 'x' }), kw, ALL), 'ERR_JWE_DECRYPTION_FAILED');
    });
  }

  it('a modified RSA-OAEP encrypted key fails at the tag, like every other failure', () => {
    const token = encrypt('hello', oaep.publicKey, { enc: 'A256GCM' });
    const key = Buffer.from(token.split('.')[1]!, 'base64url');
    key[10]! ^= 1;
    expectCode(
      () => decrypt(withPart(token, 1, key.toString('base64url')), oaep.privateKey, ALL),
      'ERR_JWE_DECRYPTION_FAILED',
    );
  });
});

describe('refused on purpose', () => {
  const token = encrypt('hello', kw, { enc: 'A128GCM' });
  it('RSA1_5, whatever the allow-list', () => {
    expectCode(() => decrypt(withHeader(token, { alg: 'RSA1_5' }), kw, ALL), 'ERR_JOSE_NOT_SUPPORTED');
    expectCode(
      () => decrypt(token, kw, { ...ALL, keyManagementAlgorithms: ['RSA1_5' as KeyManagementAlgorithm] }),
      'ERR_OPTION_INVALID',
    );
  });
  it('PBES2 with a huge p2c is refused before any iteration', () => {
    const pbes2 = withHeader(token, {
      alg: 'PBES2-HS512+A256KW',
      p2c: 2 ** 31,
      p2s: 'AAAAAAAAAAAAAAAAAAAAAA',
    });
    expectCode(() => decrypt(pbes2, kw, ALL), 'ERR_JOSE_NOT_SUPPORTED');
  });
  it('zip', () => {
    expectCode(() => decrypt(withHeader(token, { zip: 'DEF' }), kw, ALL), 'ERR_JOSE_NOT_SUPPORTED');
  });
  it('an unknown crit parameter; an understood one passes', () => {
    const critical = encrypt('hello', kw, { enc: 'A128GCM', header: { crit: ['exp'], exp: 1 } });
    expectCode(() => decrypt(critical, kw, ALL), 'ERR_JOSE_NOT_SUPPORTED');
    expect(decrypt(critical, kw, { ...ALL, crit: ['exp'] }).plaintext.toString()).toBe('hello');
    const registered = encrypt('hello', kw, { enc: 'A128GCM', header: { crit: ['kid'], kid: 'k' } });
    expectCode(() => decrypt(registered, kw, { ...ALL, crit: ['kid'] }), 'ERR_JWE_INVALID');
  });
});

describe('allow-lists and the key', () => {
  const token = encrypt('hello', kw, { enc: 'A128GCM' });
  it('alg and enc must be in the allow-lists', () => {
    expectCode(
      () => decrypt(token, kw, { ...ALL, keyManagementAlgorithms: ['A256KW'] }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    expectCode(
      () => decrypt(token, kw, { ...ALL, contentEncryptionAlgorithms: ['A256GCM'] }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    expectCode(() => decrypt(withHeader(token, { enc: 'A512GCM' }), kw, ALL), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('an A128GCM token never decrypts with an A256GCM direct key', () => {
    const small = generateSecret('dir', { enc: 'A128GCM' });
    const big = generateSecret('dir', { enc: 'A256GCM' });
    const direct = encrypt('hello', small, { enc: 'A128GCM' });
    expectCode(() => decrypt(direct, big, ALL), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expect(decrypt(direct, small, ALL).plaintext.toString()).toBe('hello');
  });

  it('a key-wrapping key is never a direct key, and the reverse', () => {
    const direct = encrypt('hello', generateSecret('dir', { enc: 'A128GCM' }), { enc: 'A128GCM' });
    expectCode(() => decrypt(direct, kw, ALL), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => decrypt(token, importKey(randomBytes(16), 'dir'), ALL), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => decrypt(token, generateSecret('A128GCMKW'), ALL), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('an AES key of another length than its algorithm is refused at import', () => {
    expectCode(() => importKey(randomBytes(16), 'A256KW'), 'ERR_JWK_INVALID');
    expectCode(() => importKey(randomBytes(20), 'dir'), 'ERR_JWK_INVALID');
    expect(importKey(randomBytes(32), 'A256KW').secretLength).toBe(32);
  });

  it('an RSA or EC signing key never serves JWE, and an encryption key never signs', () => {
    const rs = generateKeyPair('RS256');
    expectCode(() => encrypt('x', rs.publicKey as never, { enc: 'A128GCM' }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => decrypt(token, rs.privateKey as never, ALL), 'ERR_OPTION_INVALID');
    expectCode(
      () => importJWK({ ...exportJWK(rs.privateKey, { private: true }), alg: undefined }, 'ES256'),
      'ERR_JWK_INVALID',
    );
    const rsaToken = encrypt('x', oaep.publicKey, { enc: 'A128GCM' });
    expectCode(() => decrypt(rsaToken, ecdh.privateKey, ALL), 'ERR_JOSE_ALG_NOT_ALLOWED');
    const ecdhToken = encrypt('x', ecdh.publicKey, { enc: 'A128GCM' });
    expectCode(() => decrypt(ecdhToken, oaep.privateKey, ALL), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('a JWK says what it is for: use and key_ops', () => {
    const jwk = exportJWK(oaep.privateKey, { private: true });
    expect(jwk.use).toBe('enc');
    expectCode(() => importJWK({ ...jwk, use: 'sig' }, 'RSA-OAEP-256'), 'ERR_JWK_INVALID');
    expectCode(() => importJWK({ ...jwk, key_ops: ['sign'] }, 'RSA-OAEP-256'), 'ERR_JWK_INVALID');
    expect(importJWK({ ...jwk, key_ops: ['unwrapKey'] }, 'RSA-OAEP-256').family).toBe('RSA-OAEP');
    expectCode(() => importJWK({ ...jwk, alg: 'RS256' }, 'RSA-OAEP-256'), 'ERR_JWK_INVALID');
    // A dir key may name its enc as its alg (RFC 7520 §5.6).
    const cek = { kty: 'oct', k: randomBytes(16).toString('base64url'), alg: 'A128GCM', use: 'enc' };
    expect(importJWK(cek).alg).toBe('dir');
  });

  it('keys from PEM, KeyObject and JWK text decrypt alike; a PEM is never a secret', () => {
    const token = encrypt('hello', oaep.publicKey, { enc: 'A128GCM' });
    const pem = oaep.privateKey.keyObject.export({ type: 'pkcs8', format: 'pem' }) as string;
    const jwkText = JSON.stringify(exportJWK(oaep.privateKey, { private: true }));
    for (const input of [pem, oaep.privateKey.keyObject, jwkText]) {
      expect(decrypt(token, importKey(input, 'RSA-OAEP-256'), ALL).plaintext.toString()).toBe('hello');
    }
    const publicPem = oaep.publicKey.keyObject.export({ type: 'spki', format: 'pem' }) as string;
    expect(importKey(publicPem, 'RSA-OAEP-256').type).toBe('public');
    expectCode(() => importKey(publicPem, 'dir'), 'ERR_JWK_INVALID');
    expectCode(() => importKey(publicPem, 'A256KW'), 'ERR_JWK_INVALID');
  });

  it('a public key cannot decrypt', () => {
    expectCode(() => createDecrypter({ ...ALL, key: oaep.publicKey }), 'ERR_OPTION_INVALID');
  });
});

describe('the ephemeral public key (epk)', () => {
  const token = encrypt('hello', ecdh.publicKey, { enc: 'A128GCM' });
  const epk = header(token).epk as Record<string, string>;

  it('must be on the curve of the key', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    expectCode(() => decrypt(withHeader(token, { epk: other }), ecdh.privateKey, ALL), 'ERR_JWE_INVALID');
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
    expectCode(() => decrypt(withHeader(token, { epk: x25519 }), ecdh.privateKey, ALL), 'ERR_JWE_INVALID');
  });

  it('must be a point of its curve (invalid-curve attack)', () => {
    // Changing y makes a point off P-256: node:crypto refuses it at import, before any agreement.
    const y = Buffer.from(epk.y!, 'base64url');
    y[31]! ^= 1;
    const off = { ...epk, y: y.toString('base64url') };
    const error = expectCode(
      () => decrypt(withHeader(token, { epk: off }), ecdh.privateKey, ALL),
      'ERR_JWE_INVALID',
    );
    expect(error.message).toMatch(/not a point on its curve/);
  });

  it("Wycheproof's invalid-curve point (JWE tcId 51) is refused by node:crypto's import", () => {
    const point = {
      kty: 'EC',
      crv: 'P-256',
      x: 'gTli65eTQ7z-Bh147ff8K3m7k2UiDiG2LpYkWAaFJCc',
      y: 'cLAnjKa4bzjD7DJVPwa9EPrRzMG7rONgsiUD-kf30Fs',
    };
    const error = expectCode(() => parseEpk(point, 'P-256'), 'ERR_JWE_INVALID');
    expect(error.message).toBe('the epk is not a point on its curve');
    // The same check lets a genuine point through.
    expect(parseEpk(epk, 'P-256').asymmetricKeyType).toBe('ec');
  });

  it('must be a public key of the right shape', () => {
    for (const bad of [
      undefined,
      'x',
      { ...epk, d: epk.x },
      { ...epk, kty: 'OKP' },
      { ...epk, x: `${epk.x}A` },
    ]) {
      expectCode(() => decrypt(withHeader(token, { epk: bad }), ecdh.privateKey, ALL), 'ERR_JWE_INVALID');
    }
  });
});

describe('the compact serialization', () => {
  const token = encrypt('hello', kw, { enc: 'A128GCM' });
  it('five parts, strict base64url, a JSON header with alg and enc, within the size limit', () => {
    for (const bad of [
      token.split('.').slice(0, 3).join('.'),
      `${token}.x`,
      withPart(token, 2, `${token.split('.')[2]}=`),
      withPart(token, 0, Buffer.from('[1]').toString('base64url')),
      withHeader(token, { enc: undefined }),
      withHeader(token, { alg: undefined }),
      withHeader(token, { kid: 7 }),
    ]) {
      expectCode(() => decrypt(bad, kw, ALL), 'ERR_JWE_INVALID');
    }
    expectCode(() => decrypt(token, kw, { ...ALL, maxTokenSize: 10 }), 'ERR_JWT_TOO_LARGE');
  });
  it('the encrypted key is empty exactly for dir and ECDH-ES', () => {
    const direct = encrypt('hello', generateSecret('dir', { enc: 'A128GCM' }), { enc: 'A128GCM' });
    expectCode(
      () => decrypt(withPart(direct, 1, 'AAAA'), generateSecret('dir', { enc: 'A128GCM' }), ALL),
      'ERR_JWE_INVALID',
    );
    expectCode(() => decrypt(withPart(token, 1, ''), kw, ALL), 'ERR_JWE_INVALID');
  });
});

describe('options are checked once', () => {
  it('createEncrypter', () => {
    expectCode(() => createEncrypter({ key: kw } as never), 'ERR_OPTION_INVALID');
    expectCode(() => createEncrypter({ key: kw, enc: 'A128GCM', header: { epk: {} } }), 'ERR_OPTION_INVALID');
    expectCode(
      () => createEncrypter({ key: kw, enc: 'A128GCM', header: { zip: 'DEF' } }),
      'ERR_OPTION_INVALID',
    );
    expectCode(
      () => createEncrypter({ key: kw, enc: 'A128GCM', apu: Buffer.from('a') }),
      'ERR_OPTION_INVALID',
    );
    expectCode(() => createEncrypter({ key: {} as never, enc: 'A128GCM' }), 'ERR_OPTION_INVALID');
    expectCode(() => createEncrypter({ key: kw, enc: 'A128GCM', kid: 1 as never }), 'ERR_OPTION_INVALID');
  });
  it('createDecrypter', () => {
    expectCode(() => createDecrypter({ key: kw } as never), 'ERR_OPTION_INVALID');
    expectCode(() => createDecrypter({ ...ALL, keyManagementAlgorithms: [], key: kw }), 'ERR_OPTION_INVALID');
    expectCode(
      () =>
        createDecrypter({
          ...ALL,
          contentEncryptionAlgorithms: ['A128CBC' as ContentEncryptionAlgorithm],
          key: kw,
        }),
      'ERR_OPTION_INVALID',
    );
    expectCode(() => createDecrypter({ ...ALL, key: {} as never }), 'ERR_OPTION_INVALID');
    expectCode(() => createDecrypter({ ...ALL, maxTokenSize: 0, key: kw }), 'ERR_OPTION_INVALID');
  });
  it('generateSecret and generateKeyPair', () => {
    expectCode(() => generateSecret('dir'), 'ERR_OPTION_INVALID');
    expectCode(() => generateKeyPair('A128KW'), 'ERR_OPTION_INVALID');
    expectCode(() => generateKeyPair('ECDH-ES', { crv: 'Ed25519' }), 'ERR_OPTION_INVALID');
    expect(generateSecret('A192GCMKW').secretLength).toBe(24);
    expect(generateKeyPair('ECDH-ES', { crv: 'X25519' }).privateKey.curve).toBe('X25519');
  });
});
