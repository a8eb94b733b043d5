import { Buffer } from 'node:buffer';
import {
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type Algorithm,
  generateKeyPair,
  generateSecret,
  importJWK,
  importKey,
  type JWK,
  Key,
  sign,
  verify,
} from '../src/index.js';
import { expectCode } from './helpers.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed25519 = generateKeyPairSync('ed25519');

const pem = (key: KeyObject, type: 'spki' | 'pkcs8' | 'pkcs1') =>
  key.export({ format: 'pem', type } as never) as unknown as string;
const der = (key: KeyObject, type: 'spki' | 'pkcs8' | 'pkcs1') =>
  key.export({ format: 'der', type } as never) as unknown as Buffer;

/** An OpenSSH public key line ("ssh-rsa AAAA... comment") built from the RSA key's n and e. */
function sshRsaLine(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const mpint = (value: string) => {
    const bytes = Buffer.from(value, 'base64url');
    return field(bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]);
  return `ssh-rsa ${blob.toString('base64')} sesame@test`;
}

/**
 * A self-signed certificate for an RSA key pair, committed (made once by `openssl req -x509 -newkey
 * rsa:2048 -nodes -days 36500 -subj /CN=sesame-test`) so that no test run needs the openssl CLI.
 * The key signs nothing but these tests.
 */
const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
const certificate = {
  cert: fixture('x509-test-only.cert.pem'),
  privateKeyPem: fixture('x509-test-only.key.pem'),
};

/** Signs with `privateKey` and verifies with `publicKey`: the pair is usable and belongs together. */
function roundTrip(privateKey: Key, publicKey: Key, alg: Algorithm) {
  const token = sign({ sub: 'u1' }, privateKey, { alg });
  expect(verify(token, publicKey, { algorithms: [alg] }).payload.sub).toBe('u1');
}

describe('importKey: every input form', () => {
  it('imports PEM SPKI and PKCS#8 for RSA, EC and EdDSA', () => {
    roundTrip(
      importKey(pem(rsa.privateKey, 'pkcs8'), 'RS256'),
      importKey(pem(rsa.publicKey, 'spki'), 'RS256'),
      'RS256',
    );
    roundTrip(
      importKey(pem(rsa.privateKey, 'pkcs8'), 'PS384'),
      importKey(pem(rsa.publicKey, 'spki'), 'PS384'),
      'PS384',
    );
    roundTrip(
      importKey(pem(ec256.privateKey, 'pkcs8'), 'ES256'),
      importKey(pem(ec256.publicKey, 'spki'), 'ES256'),
      'ES256',
    );
    roundTrip(
      importKey(pem(ed25519.privateKey, 'pkcs8'), 'EdDSA'),
      importKey(pem(ed25519.publicKey, 'spki'), 'EdDSA'),
      'EdDSA',
    );
  });

  it('imports PKCS#1 "RSA PUBLIC KEY" and "RSA PRIVATE KEY" PEM', () => {
    const publicPem = pem(rsa.publicKey, 'pkcs1');
    const privatePem = pem(rsa.privateKey, 'pkcs1');
    expect(publicPem).toContain('BEGIN RSA PUBLIC KEY');
    expect(privatePem).toContain('BEGIN RSA PRIVATE KEY');
    const publicKey = importKey(publicPem, 'RS256');
    const privateKey = importKey(privatePem, 'RS256');
    expect(publicKey.type).toBe('public');
    expect(privateKey.type).toBe('private');
    roundTrip(privateKey, publicKey, 'RS256');
  });

  it('imports DER SPKI and PKCS#8 bytes', () => {
    roundTrip(
      importKey(der(ec256.privateKey, 'pkcs8'), 'ES256'),
      importKey(der(ec256.publicKey, 'spki'), 'ES256'),
      'ES256',
    );
  });

  it('imports the public key of an X.509 certificate (PEM and DER)', () => {
    const { cert, privateKeyPem } = certificate;
    const publicKey = importKey(cert, 'RS256');
    expect(publicKey.type).toBe('public');
    roundTrip(importKey(privateKeyPem, 'RS256'), publicKey, 'RS256');
    const certDer = Buffer.from(cert.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    roundTrip(importKey(privateKeyPem, 'RS256'), importKey(certDer, 'RS256'), 'RS256');
  });

  it('imports a JWK object and a JWK as JSON text', () => {
    const privateJwk = ec256.privateKey.export({ format: 'jwk' }) as JWK;
    const publicJwk = ec256.publicKey.export({ format: 'jwk' }) as JWK;
    roundTrip(importKey(privateJwk, 'ES256'), importKey(publicJwk, 'ES256'), 'ES256');
    roundTrip(
      importKey(JSON.stringify(privateJwk), 'ES256'),
      importKey(`  ${JSON.stringify(publicJwk)}`, 'ES256'),
      'ES256',
    );
  });

  it('imports a node KeyObject', () => {
    roundTrip(importKey(ed25519.privateKey, 'EdDSA'), importKey(ed25519.publicKey, 'EdDSA'), 'EdDSA');
  });

  it('imports a raw secret as a string, as bytes and as a secret KeyObject', () => {
    const secret = randomBytes(32);
    const fromBytes = importKey(secret, 'HS256');
    const fromText = importKey('correct horse battery staple, 32+', 'HS256');
    const fromObject = importKey(createSecretKey(secret), 'HS256');
    expect(fromBytes.type).toBe('secret');
    expect(fromBytes.secretLength).toBe(32);
    expect(fromText.secretLength).toBeGreaterThanOrEqual(32);
    roundTrip(fromBytes, fromObject, 'HS256');
    roundTrip(fromText, fromText, 'HS256');
  });

  it('attaches a kid from the options, or from the JWK', () => {
    expect(importKey(ec256.publicKey, 'ES256', { kid: 'k1' }).kid).toBe('k1');
    const jwk = { ...(ec256.publicKey.export({ format: 'jwk' }) as JWK), kid: 'from-jwk' };
    expect(importKey(jwk, 'ES256').kid).toBe('from-jwk');
    expect(importKey(jwk, 'ES256', { kid: 'override' }).kid).toBe('override');
    expectCode(() => importKey(ec256.publicKey, 'ES256', { kid: 7 as never }), 'ERR_JWK_INVALID');
  });

  it('binds the key to the family, curve and algorithm it was imported for', () => {
    const key = importKey(ec384.publicKey, 'ES384');
    expect(key).toBeInstanceOf(Key);
    expect(key.family).toBe('EC');
    expect(key.curve).toBe('P-384');
    expect(key.alg).toBe('ES384');
    expect(Object.isFrozen(key)).toBe(true);
  });
});

describe('importKey: a public key is never an HMAC secret', () => {
  const jwk = rsa.publicKey.export({ format: 'jwk' });
  const forms: [string, string | Uint8Array | JWK | KeyObject][] = [
    ['PEM SPKI text', pem(rsa.publicKey, 'spki')],
    ['PEM SPKI text with leading white space', `\n  ${pem(rsa.publicKey, 'spki')}`],
    ['PEM SPKI as bytes', Buffer.from(pem(rsa.publicKey, 'spki'))],
    ['PEM PKCS#1 text', pem(rsa.publicKey, 'pkcs1')],
    ['PEM PKCS#8 private key', pem(rsa.privateKey, 'pkcs8')],
    ['PEM EC public key', pem(ec256.publicKey, 'spki')],
    ['JWK JSON text', JSON.stringify(jwk)],
    ['JWK JSON as bytes', Buffer.from(JSON.stringify(jwk))],
    ['a JWK Set as bytes with leading white space', Buffer.from(`\n ${JSON.stringify({ keys: [jwk] })}`)],
    ['JWK object', jwk as JWK],
    ['SSH public key line', sshRsaLine(rsa.publicKey)],
    [
      'SSH ed25519 line',
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0ZXN0a2V5Ynl0ZXNmb3JzZXNhbWV0ZXN0aW5nISE= me',
    ],
    ['ECDSA SSH line', 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY= me'],
    ['DER SPKI bytes', der(rsa.publicKey, 'spki')],
    [
      'a PEM body without its armour',
      pem(rsa.publicKey, 'spki')
        .split('\n')
        .filter((l) => !l.startsWith('-----'))
        .join('\n'),
    ],
    ['an EC PEM body on one line', pem(ec256.publicKey, 'spki').replace(/-----[A-Z ]+-----|\n/g, '')],
    ['DER PKCS#1 bytes', der(rsa.publicKey, 'pkcs1')],
    ['DER PKCS#8 private bytes', der(ec256.privateKey, 'pkcs8')],
    ['a public KeyObject', rsa.publicKey],
    ['a private KeyObject', ec256.privateKey],
  ];
  forms.push(['an X.509 certificate (PEM)', certificate.cert]);

  for (const [what, input] of forms) {
    it(`refuses ${what}`, () => {
      expectCode(() => importKey(input as never, 'HS256'), 'ERR_JWK_INVALID');
    });
  }

  for (const [what, start] of [
    ['"{"', '{'],
    ['white space and "{"', ' \t{'],
    ['a latin-1 no-break space and "{"', '\u00a0{'],
  ] as const) {
    it(`accepts random secret bytes that start with ${what} and are no JSON`, () => {
      const secret = Buffer.concat([Buffer.from(start, 'latin1'), randomBytes(31)]);
      expect(importKey(secret, 'HS256').secretLength).toBe(secret.length);
    });
  }

  it('accepts a random secret of the same length (the check is about form, not size)', () => {
    const secret = randomBytes(der(rsa.publicKey, 'spki').length);
    secret[0] = 0x30; // starts like DER, yet is no key
    expect(importKey(secret, 'HS256').secretLength).toBe(secret.length);
  });
});

describe('importKey: weak and mismatched keys are refused', () => {
  for (const [alg, bytes] of [
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const) {
    it(`${alg} needs a secret of at least ${bytes} bytes`, () => {
      expect(importKey(randomBytes(bytes), alg).secretLength).toBe(bytes);
      expectCode(() => importKey(randomBytes(bytes - 1), alg), 'ERR_JWK_INVALID');
      expectCode(() => importKey('x'.repeat(bytes - 1), alg), 'ERR_JWK_INVALID');
      expectCode(() => importKey(createSecretKey(randomBytes(bytes - 1)), alg), 'ERR_JWK_INVALID');
      expectCode(
        () => importJWK({ kty: 'oct', k: randomBytes(bytes - 1).toString('base64url') }, alg),
        'ERR_JWK_INVALID',
      );
    });
  }

  it('refuses an empty secret', () => {
    expectCode(() => importKey('', 'HS256'), 'ERR_JWK_INVALID');
    expectCode(() => importKey(new Uint8Array(0), 'HS256'), 'ERR_JWK_INVALID');
  });

  it('refuses RSA keys under 2048 bits in every form', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expectCode(() => importKey(small.publicKey, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importKey(small.privateKey, 'PS256'), 'ERR_JWK_INVALID');
    expectCode(() => importKey(pem(small.publicKey, 'spki'), 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => importKey(small.publicKey.export({ format: 'jwk' }) as JWK, 'RS256'), 'ERR_JWK_INVALID');
    expectCode(() => generateKeyPair('RS256', { modulusLength: 1024 }), 'ERR_JWK_INVALID');
    expect(importKey(rsa.publicKey, 'RS256').type).toBe('public');
  });

  it('refuses RSA public exponents of 1 and even exponents', () => {
    const jwk = rsa.publicKey.export({ format: 'jwk' }) as JWK;
    expect(jwk.e).toBe('AQAB');
    expect(importJWK(jwk, 'RS256').alg).toBe('RS256');
    expectCode(() => importJWK({ ...jwk, e: 'AQ' }, 'RS256'), 'ERR_JWK_INVALID'); // 1
    expectCode(() => importJWK({ ...jwk, e: 'AQAC' }, 'RS256'), 'ERR_JWK_INVALID'); // 65538
    expectCode(() => importJWK({ ...jwk, e: 'Ag' }, 'RS256'), 'ERR_JWK_INVALID'); // 2
    const e3 = createPublicKey({ key: { ...jwk, e: 'Aw' } as never, format: 'jwk' });
    expect(importKey(e3, 'RS256').type).toBe('public'); // 3 is odd and > 1
  });

  const vectors = join(
    dirname(fileURLToPath(import.meta.url)),
    '../../../../shared/vectors/wycheproof/json_web_key_test.json',
  );
  it.skipIf(!existsSync(vectors))(
    'refuses the Wycheproof ROCA key (skipped: ../shared/vectors is absent)',
    () => {
      const file = JSON.parse(readFileSync(vectors, 'utf8')) as {
        testGroups: { comment: string; public?: { keys: JWK[] }; private?: { keys: JWK[] } }[];
      };
      const group = file.testGroups.find((g) => g.comment === 'jws_rsa_roca_key');
      expect(group).toBeDefined();
      const publicJwk = group!.public!.keys[0]!;
      // Size and exponent are fine, so the refusal below can only be the ROCA fingerprint.
      const node = createPublicKey({ key: publicJwk as never, format: 'jwk' });
      expect(node.asymmetricKeyDetails!.modulusLength).toBeGreaterThanOrEqual(2048);
      expect(node.asymmetricKeyDetails!.publicExponent).toBe(65537n);
      expectCode(() => importJWK(publicJwk, 'RS256'), 'ERR_JWK_INVALID');
      expectCode(() => importKey(node, 'RS256'), 'ERR_JWK_INVALID');
      expectCode(() => importJWK(group!.private!.keys[0]!, 'RS256'), 'ERR_JWK_INVALID');
    },
  );

  const mismatches: [string, () => unknown][] = [
    ['a P-384 key for ES256', () => importKey(ec384.publicKey, 'ES256')],
    ['a P-256 key for ES384', () => importKey(pem(ec256.publicKey, 'spki'), 'ES384')],
    ['a P-256 key for ES512', () => importKey(ec256.privateKey, 'ES512')],
    ['an RSA key for ES256', () => importKey(pem(rsa.publicKey, 'spki'), 'ES256')],
    ['an EC key for RS256', () => importKey(ec256.publicKey, 'RS256')],
    ['an EC key for PS256', () => importKey(ec256.publicKey, 'PS256')],
    ['an Ed25519 key for ES256', () => importKey(ed25519.publicKey, 'ES256')],
    ['an EC key for EdDSA', () => importKey(ec256.publicKey, 'EdDSA')],
    ['a secret KeyObject for RS256', () => importKey(createSecretKey(randomBytes(64)), 'RS256')],
    ['raw secret bytes for ES256', () => importKey(randomBytes(64), 'ES256')],
    ['a non-PEM string for RS256', () => importKey('not a key at all', 'RS256')],
    [
      'a broken PEM for RS256',
      () => importKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', 'RS256'),
    ],
    [
      'a broken certificate',
      () => importKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'RS256'),
    ],
    ['broken JWK text', () => importKey('{"kty":', 'ES256')],
    ['a number', () => importKey(42 as never, 'HS256')],
    ['null', () => importKey(null as never, 'HS256')],
  ];
  for (const [what, fn] of mismatches) {
    it(`refuses ${what}`, () => expectCode(fn, 'ERR_JWK_INVALID'));
  }

  it('refuses algorithms it does not support, none above all', () => {
    for (const alg of ['none', 'None', 'HS1', 'RS1', 'ES256K', '']) {
      expectCode(() => importKey(randomBytes(64), alg as Algorithm), 'ERR_JOSE_ALG_NOT_ALLOWED');
    }
  });
});

describe('generateKeyPair and generateSecret', () => {
  it('generate keys for every family, and refuse the wrong kind of algorithm', () => {
    const rsaPair = generateKeyPair('PS256', { kid: 'r1' });
    expect(rsaPair.privateKey.kid).toBe('r1');
    expect(rsaPair.publicKey.verifyKey.asymmetricKeyDetails!.modulusLength).toBe(2048);
    expect(generateKeyPair('EdDSA', { crv: 'Ed448' }).publicKey.curve).toBe('Ed448');
    expect(generateKeyPair('EdDSA').publicKey.curve).toBe('Ed25519');
    expect(generateKeyPair('ES512').publicKey.curve).toBe('P-521');
    expectCode(() => generateKeyPair('HS256'), 'ERR_OPTION_INVALID');
    expectCode(() => generateKeyPair('none' as never), 'ERR_OPTION_INVALID');
    expect(generateSecret('HS384').secretLength).toBe(48);
    expect(generateSecret('HS512', { kid: 's' }).kid).toBe('s');
    expectCode(() => generateSecret('RS256'), 'ERR_OPTION_INVALID');
  });
});
