import { Buffer } from 'node:buffer';
import { constants, createSecretKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  createLocalKeySet,
  decrypt,
  decryptJwt,
  encrypt,
  encryptJwt,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importKey,
  isJwtError,
  type JwtErrorCode,
  KEY_MANAGEMENT_ALGORITHMS,
} from '@sesame/jwt';
import { expectRejected, login } from '../lib/deployment.js';
import { b64u, segment } from '../lib/jose.js';
import { inBatches } from '../lib/report.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'jwe';

/** What a recipient that allows every algorithm Sesame has would configure. */
const ANY = {
  keyManagementAlgorithms: KEY_MANAGEMENT_ALGORITHMS,
  contentEncryptionAlgorithms: CONTENT_ENCRYPTION_ALGORITHMS,
};

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}

function withPart(token: string, index: number, value: string): string {
  const parts = token.split('.');
  parts[index] = value;
  return parts.join('.');
}

function withHeader(token: string, change: Record<string, unknown>): string {
  return withPart(token, 0, segment({ ...headerOf(token), ...change }));
}

/**
 * JWE forgeries against @sesame/jwt as a recipient holds it (decrypt and decryptJwt with every
 * algorithm allowed, so the refusals come from the checks, not a narrow allow-list): invalid-curve
 * and small-order ephemeral keys, compression, PBES2 with a huge iteration count, RSA1_5,
 * truncated and resized tags, keys of the wrong size or family, nested JWTs whose inner JWS is
 * unsigned or signed by a stranger. Each must be refused with its stable code. Then JWE-shaped
 * tokens, one of them wrapping a genuine access token, are presented to the deployment, which
 * takes signed tokens only.
 */
export async function jweAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const expect = (name: string, code: JwtErrorCode, run: () => unknown): void => {
    try {
      run();
      report.check(CATEGORY, name, false, 'decrypted');
    } catch (error) {
      const got = isJwtError(error) ? error.code : `a non-JwtError (${(error as Error)?.name})`;
      report.check(CATEGORY, name, got === code, `refused with ${got}, expected ${code}`);
    }
  };

  // Invalid-curve and small-order ephemeral keys.
  const p256 = generateKeyPair('ECDH-ES+A128KW');
  const ecToken = encrypt('secret', p256.publicKey, { enc: 'A128GCM' });
  const epk = headerOf(ecToken).epk as Record<string, string>;
  const y = Buffer.from(epk.y!, 'base64url');
  y[31]! ^= 1;
  expect('epk off its curve (y changed)', 'ERR_JWE_INVALID', () =>
    decrypt(withHeader(ecToken, { epk: { ...epk, y: b64u(y) } }), p256.privateKey, ANY),
  );
  expect('epk the point (0, 0)', 'ERR_JWE_INVALID', () =>
    decrypt(
      withHeader(ecToken, { epk: { ...epk, x: b64u(Buffer.alloc(32)), y: b64u(Buffer.alloc(32)) } }),
      p256.privateKey,
      ANY,
    ),
  );
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
  expect('epk on P-384 for a P-256 key', 'ERR_JWE_INVALID', () =>
    decrypt(withHeader(ecToken, { epk: p384 }), p256.privateKey, ANY),
  );
  const x25519 = generateKeyPair('ECDH-ES', { crv: 'X25519' });
  const xToken = encrypt('secret', x25519.publicKey, { enc: 'A128GCM' });
  for (const [name, u] of [
    ['0', Buffer.alloc(32)],
    ['1', Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])],
  ] as const) {
    expect(`X25519 epk of small order (u = ${name})`, 'ERR_JWE_DECRYPTION_FAILED', () =>
      decrypt(withHeader(xToken, { epk: { kty: 'OKP', crv: 'X25519', x: b64u(u) } }), x25519.privateKey, ANY),
    );
  }

  // Refused on purpose.
  const kw = generateSecret('A128KW');
  const kwToken = encrypt('secret', kw, { enc: 'A128GCM' });
  expect('zip: "DEF" (decompression bomb)', 'ERR_JOSE_NOT_SUPPORTED', () =>
    decrypt(withHeader(kwToken, { zip: 'DEF' }), kw, ANY),
  );
  expect('zip: "GZIP"', 'ERR_JOSE_NOT_SUPPORTED', () =>
    decrypt(withHeader(kwToken, { zip: 'GZIP' }), kw, ANY),
  );
  expect('PBES2-HS512+A256KW with p2c = 2^31', 'ERR_JOSE_NOT_SUPPORTED', () =>
    decrypt(
      withHeader(kwToken, { alg: 'PBES2-HS512+A256KW', p2c: 2 ** 31, p2s: b64u(randomBytes(16)) }),
      kw,
      ANY,
    ),
  );
  const rsa = generateKeyPair('RSA-OAEP');
  const rsa15Header = segment({ alg: 'RSA1_5', enc: 'A128GCM' });
  const rsa15Key = publicEncrypt(
    { key: rsa.publicKey.keyObject, padding: constants.RSA_PKCS1_PADDING },
    randomBytes(16),
  );
  const rsa15 = withPart(encrypt('secret', rsa.publicKey, { enc: 'A128GCM' }), 0, rsa15Header);
  expect('RSA1_5 (Bleichenbacher)', 'ERR_JOSE_NOT_SUPPORTED', () =>
    decrypt(withPart(rsa15, 1, b64u(rsa15Key)), rsa.privateKey, ANY),
  );

  // Tags: truncated, or of another length.
  const tag = Buffer.from(kwToken.split('.')[4]!, 'base64url');
  for (const bytes of [12, 8, 4, 1]) {
    expect(`A128GCM tag truncated to ${bytes} bytes`, 'ERR_JWE_DECRYPTION_FAILED', () =>
      decrypt(withPart(kwToken, 4, b64u(tag.subarray(0, bytes))), kw, ANY),
    );
  }
  expect('A128GCM tag of 32 bytes', 'ERR_JWE_DECRYPTION_FAILED', () =>
    decrypt(withPart(kwToken, 4, b64u(Buffer.concat([tag, tag]))), kw, ANY),
  );
  expect('A128GCM tag removed', 'ERR_JWE_DECRYPTION_FAILED', () =>
    decrypt(withPart(kwToken, 4, ''), kw, ANY),
  );
  const cbcToken = encrypt('secret', kw, { enc: 'A128CBC-HS256' });
  const cbcTag = Buffer.from(cbcToken.split('.')[4]!, 'base64url');
  expect('A128CBC-HS256 tag of 32 bytes (the whole HMAC)', 'ERR_JWE_DECRYPTION_FAILED', () =>
    decrypt(withPart(cbcToken, 4, b64u(Buffer.concat([cbcTag, randomBytes(16)]))), kw, ANY),
  );
  expect('A128CBC-HS256 tag truncated to 8 bytes', 'ERR_JWE_DECRYPTION_FAILED', () =>
    decrypt(withPart(cbcToken, 4, b64u(cbcTag.subarray(0, 8))), kw, ANY),
  );

  // Keys of another size or family.
  const a128 = generateSecret('dir', { enc: 'A128GCM' });
  const a256 = generateSecret('dir', { enc: 'A256GCM' });
  const dirToken = encrypt('secret', a128, { enc: 'A128GCM' });
  expect('an A128GCM token decrypted with an A256GCM key', 'ERR_JOSE_ALG_NOT_ALLOWED', () =>
    decrypt(dirToken, a256, ANY),
  );
  expect('an A128GCM token relabelled A256GCM for an A256GCM key', 'ERR_JWE_DECRYPTION_FAILED', () =>
    decrypt(withHeader(dirToken, { enc: 'A256GCM' }), a256, ANY),
  );
  expect('a dir token given a key-wrapping key', 'ERR_JOSE_ALG_NOT_ALLOWED', () =>
    decrypt(dirToken, kw, ANY),
  );
  expect('a key-wrapping token given a dir key', 'ERR_JOSE_ALG_NOT_ALLOWED', () =>
    decrypt(kwToken, importKey(createSecretKey(kw.keyObject.export()), 'dir'), ANY),
  );
  expect('an RSA-OAEP token relabelled ECDH-ES for an EC key', 'ERR_JWE_INVALID', () =>
    decrypt(
      withHeader(encrypt('secret', rsa.publicKey, { enc: 'A128GCM' }), { alg: 'ECDH-ES' }),
      p256.privateKey,
      ANY,
    ),
  );
  const signing = generateKeyPair('ES256', { kid: 'sig' });
  const sigOnly = createLocalKeySet(
    { keys: [{ ...exportJWK(signing.privateKey, { private: true }), use: 'sig' }] },
    { use: 'enc' },
  );
  expect('a key set whose only key is for signatures', 'ERR_JWKS_NO_MATCH', () =>
    decrypt(encrypt('secret', p256.publicKey, { enc: 'A128GCM', kid: 'sig' }), sigOnly, ANY),
  );

  // Nested JWTs: the inner JWS must be signed, by the expected key.
  const nestedOptions = { ...ANY, verificationKey: signing.publicKey, algorithms: ['ES256' as const] };
  const none = `${segment({ alg: 'none', typ: 'JWT' })}.${segment({ sub: 'admin', scope: 'admin' })}.`;
  expect('a nested JWT whose inner JWS is alg none', 'ERR_JOSE_ALG_NOT_ALLOWED', () =>
    decryptJwt(encrypt(none, p256.publicKey, { enc: 'A128GCM', cty: 'JWT' }), p256.privateKey, nestedOptions),
  );
  const stranger = generateKeyPair('ES256', { kid: 'sig' });
  expect('a nested JWT signed by a stranger with the same kid', 'ERR_JWS_SIGNATURE', () =>
    decryptJwt(
      encryptJwt({ sub: 'admin' }, p256.publicKey, { enc: 'A128GCM', signingKey: stranger.privateKey }),
      p256.privateKey,
      nestedOptions,
    ),
  );
  expect('an unsigned claims set where a nested JWT is expected', 'ERR_JWE_INVALID', () =>
    decryptJwt(
      encryptJwt({ sub: 'admin' }, p256.publicKey, { enc: 'A128GCM' }),
      p256.privateKey,
      nestedOptions,
    ),
  );

  // The deployment verifies signed tokens only: a JWE, even around a genuine token, is refused.
  const genuine = (await login(main)).access_token;
  const cases: Array<[string, string]> = [
    ['a JWE wrapping a genuine access token (dir)', encrypt(genuine, a256, { enc: 'A256GCM', cty: 'JWT' })],
    [
      'a JWE wrapping a genuine access token (ECDH-ES)',
      encrypt(genuine, p256.publicKey, { enc: 'A256GCM', cty: 'JWT' }),
    ],
    [
      'a JWE with alg dir and an empty key and tag',
      `${segment({ alg: 'dir', enc: 'A128GCM' })}..${b64u(randomBytes(12))}.${genuine.split('.')[1]}.`,
    ],
  ];
  await inBatches(cases, 4, ([name, token]) => expectRejected(report, main, CATEGORY, name, token));
}
