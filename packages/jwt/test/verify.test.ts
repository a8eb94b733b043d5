import { Buffer } from 'node:buffer';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Algorithm,
  createLocalKeySet,
  createVerifier,
  DEFAULT_MAX_TOKEN_SIZE,
  decode,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importKey,
  JwtError,
  type Key,
  sign,
  type VerifyOptions,
  verify,
  verifyAsync,
} from '../src/index.js';
import { b64, errorOf, expectCode, expectCodeAsync, hmacToken, NOW, NOW_DATE } from './helpers.js';

const rsaNode = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPem = rsaNode.publicKey.export({ format: 'pem', type: 'spki' }) as string;
const rs = {
  privateKey: importKey(rsaNode.privateKey, 'RS256'),
  publicKey: importKey(rsaNode.publicKey, 'RS256'),
};
const ps = {
  privateKey: importKey(rsaNode.privateKey, 'PS256'),
  publicKey: importKey(rsaNode.publicKey, 'PS256'),
};
const es256 = generateKeyPair('ES256');
const es384 = generateKeyPair('ES384');
const ed = generateKeyPair('EdDSA');
const hs = generateSecret('HS256');

describe('the algorithms allow-list', () => {
  const token = sign({ sub: 'u1' }, es256.privateKey);

  it('is required and must be a non-empty list of supported algorithms', () => {
    expect(verify(token, es256.publicKey, { algorithms: ['ES256'] }).payload.sub).toBe('u1');
    for (const options of [
      undefined,
      null,
      {},
      { algorithms: [] },
      { algorithms: 'ES256' },
      { algorithms: ['none'] },
      { algorithms: ['ES256', 'none'] },
      { algorithms: ['ES256', 'XS256'] },
      { algorithms: ['es256'] },
      { algorithms: [null] },
    ]) {
      expectCode(() => verify(token, es256.publicKey, options as never), 'ERR_OPTION_INVALID');
      expectCode(
        () => createVerifier({ key: es256.publicKey, ...(options as object) } as never),
        'ERR_OPTION_INVALID',
      );
    }
  });

  it('refuses a header alg that is not in the list', () => {
    expectCode(
      () => verify(token, es256.publicKey, { algorithms: ['ES384', 'RS256'] }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    expect(verify(token, es256.publicKey, { algorithms: ['ES384', 'ES256'] }).header.alg).toBe('ES256');
  });

  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`never accepts alg "${alg}", signed or not`, () => {
      const unsigned = `${b64(JSON.stringify({ alg }))}.${b64(JSON.stringify({ sub: 'admin' }))}.`;
      const signed = hmacToken({ alg }, { sub: 'admin' }, randomBytes(32));
      for (const t of [unsigned, signed]) {
        expectCode(() => verify(t, hs, { algorithms: ['HS256'] }), 'ERR_JOSE_ALG_NOT_ALLOWED');
        expectCode(() => verify(t, es256.publicKey, { algorithms: ['ES256'] }), 'ERR_JOSE_ALG_NOT_ALLOWED');
        expectCode(
          () =>
            verify(t, createLocalKeySet({ keys: [exportJWK(es256.publicKey)] }), { algorithms: ['ES256'] }),
          'ERR_JOSE_ALG_NOT_ALLOWED',
        );
      }
      expectCode(() => verify(unsigned, hs, { algorithms: [alg as Algorithm] }), 'ERR_OPTION_INVALID');
    });
  }
});

describe('the header alg must belong to the key family', () => {
  const cases: [string, () => string, Key, Algorithm[]][] = [
    ['an RS256 token against an EC key', () => sign({}, rs.privateKey), es256.publicKey, ['RS256', 'ES256']],
    ['an ES256 token against an RSA key', () => sign({}, es256.privateKey), rs.publicKey, ['RS256', 'ES256']],
    [
      'a PS256 token against a key imported for RS256',
      () => sign({}, ps.privateKey),
      rs.publicKey,
      ['RS256', 'PS256'],
    ],
    [
      'an RS256 token against a key imported for PS256',
      () => sign({}, rs.privateKey),
      ps.publicKey,
      ['RS256', 'PS256'],
    ],
    [
      'an ES256 token against a P-384 key',
      () => sign({}, es256.privateKey),
      es384.publicKey,
      ['ES256', 'ES384'],
    ],
    [
      'an ES384 token against a P-256 key',
      () => sign({}, es384.privateKey),
      es256.publicKey,
      ['ES256', 'ES384'],
    ],
    ['an EdDSA token against an EC key', () => sign({}, ed.privateKey), es256.publicKey, ['EdDSA', 'ES256']],
    [
      'an ES256 token against an Ed25519 key',
      () => sign({}, es256.privateKey),
      ed.publicKey,
      ['EdDSA', 'ES256'],
    ],
    ['an RS256 token against an HMAC key', () => sign({}, rs.privateKey), hs, ['RS256', 'HS256']],
    [
      // The classic confusion: the attacker signs HS256 with the server's public key PEM as secret.
      'an HS256 token, signed with the RSA public key PEM as secret, against the RSA public key',
      () => hmacToken({ alg: 'HS256' }, { sub: 'admin' }, rsaPem),
      rs.publicKey,
      ['HS256', 'RS256'],
    ],
    [
      'an HS256 token, signed with the EC public key DER as secret, against the EC key',
      () =>
        hmacToken(
          { alg: 'HS256' },
          { sub: 'admin' },
          es256.publicKey.keyObject.export({ format: 'der', type: 'spki' }) as Buffer,
        ),
      es256.publicKey,
      ['HS256', 'ES256'],
    ],
  ];
  for (const [what, make, key, algorithms] of cases) {
    it(`refuses ${what}`, () => {
      expectCode(() => verify(make(), key, { algorithms }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    });
  }

  it('accepts each of those tokens against its own key', () => {
    expect(verify(sign({}, rs.privateKey), rs.publicKey, { algorithms: ['RS256'] }).header.alg).toBe('RS256');
    expect(verify(sign({}, ps.privateKey), ps.publicKey, { algorithms: ['PS256'] }).header.alg).toBe('PS256');
    expect(verify(sign({}, es384.privateKey), es384.publicKey, { algorithms: ['ES384'] }).header.alg).toBe(
      'ES384',
    );
    expect(verify(sign({}, ed.privateKey), ed.publicKey, { algorithms: ['EdDSA'] }).header.alg).toBe('EdDSA');
    expect(verify(sign({}, hs), hs, { algorithms: ['HS256'] }).header.alg).toBe('HS256');
  });

  it('lets one RSA key serve several hashes of its family', () => {
    const t = sign({}, rs.privateKey, { alg: 'RS512' });
    expect(verify(t, rs.publicKey, { algorithms: ['RS512'] }).header.alg).toBe('RS512');
  });
});

describe('HMAC secret length at verify time', () => {
  it('refuses a 32-byte key for an HS512 token, and accepts a 64-byte one', () => {
    const short = randomBytes(32);
    const shortKey = importKey(short, 'HS256');
    const t = hmacToken({ alg: 'HS512' }, { sub: 'x' }, short, 'HS512');
    expectCode(() => verify(t, shortKey, { algorithms: ['HS512'] }), 'ERR_JWK_INVALID');
    const long = randomBytes(64);
    const good = hmacToken({ alg: 'HS512' }, { sub: 'x' }, long, 'HS512');
    expect(verify(good, importKey(long, 'HS256'), { algorithms: ['HS512'] }).payload.sub).toBe('x');
  });

  it('refuses a 32-byte key for an HS384 token', () => {
    const short = randomBytes(32);
    const t = hmacToken({ alg: 'HS384' }, {}, short, 'HS384');
    expectCode(() => verify(t, importKey(short, 'HS256'), { algorithms: ['HS384'] }), 'ERR_JWK_INVALID');
  });
});

describe('signatures', () => {
  it('refuses a token signed by another key of the same kind', () => {
    const other = generateKeyPair('ES256');
    expectCode(
      () => verify(sign({}, other.privateKey), es256.publicKey, { algorithms: ['ES256'] }),
      'ERR_JWS_SIGNATURE',
    );
    expectCode(
      () => verify(sign({}, generateSecret('HS256')), hs, { algorithms: ['HS256'] }),
      'ERR_JWS_SIGNATURE',
    );
  });

  it('refuses a payload swapped between two valid tokens', () => {
    const a = sign({ sub: 'alice' }, hs).split('.');
    const b = sign({ sub: 'bob' }, hs).split('.');
    expectCode(() => verify(`${a[0]}.${b[1]}.${a[2]}`, hs, { algorithms: ['HS256'] }), 'ERR_JWS_SIGNATURE');
  });

  it('refuses a DER-encoded ECDSA signature and a truncated one', () => {
    const t = sign({}, es256.privateKey);
    const [h, p, s] = t.split('.');
    const raw = Buffer.from(s!, 'base64url');
    const derInt = (bytes: Buffer) => {
      let value = bytes;
      while (value.length > 1 && value[0] === 0 && !(value[1]! & 0x80)) value = value.subarray(1);
      if (value[0]! & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
      return Buffer.concat([Buffer.from([0x02, value.length]), value]);
    };
    const body = Buffer.concat([derInt(raw.subarray(0, 32)), derInt(raw.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    expect(verify(t, es256.publicKey, { algorithms: ['ES256'] })).toBeDefined();
    expectCode(
      () => verify(`${h}.${p}.${der.toString('base64url')}`, es256.publicKey, { algorithms: ['ES256'] }),
      'ERR_JWS_SIGNATURE',
    );
    expectCode(
      () =>
        verify(`${h}.${p}.${raw.subarray(0, 63).toString('base64url')}`, es256.publicKey, {
          algorithms: ['ES256'],
        }),
      'ERR_JWS_SIGNATURE',
    );
  });

  it('refuses an HMAC signature that is truncated or extended', () => {
    const [h, p, s] = sign({}, hs).split('.');
    const raw = Buffer.from(s!, 'base64url');
    for (const sig of [raw.subarray(0, 16), Buffer.concat([raw, Buffer.from([0])]), Buffer.alloc(0)]) {
      expectCode(
        () => verify(`${h}.${p}.${sig.toString('base64url')}`, hs, { algorithms: ['HS256'] }),
        'ERR_JWS_SIGNATURE',
      );
    }
  });
});

describe('embedded keys are never used to find a key', () => {
  const attacker = generateKeyPair('ES256');
  const attackerJwk = exportJWK(attacker.publicKey);
  let server: Server;
  let url = '';
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [attackerJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const forged = (header: Record<string, unknown>) => sign({ sub: 'admin' }, attacker.privateKey, { header });

  it('a token signed with the key in its own jwk header fails against the real key', () => {
    const t = forged({ jwk: attackerJwk });
    expect(decode(t).header.jwk).toEqual(attackerJwk);
    expectCode(() => verify(t, es256.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_SIGNATURE');
  });

  it('it fails against a key set too, with or without a kid', () => {
    const set = createLocalKeySet({ keys: [{ ...exportJWK(es256.publicKey), kid: 'real' }] });
    expectCode(
      () => verify(forged({ jwk: attackerJwk }), set, { algorithms: ['ES256'] }),
      'ERR_JWS_SIGNATURE',
    );
    expectCode(
      () => verify(forged({ jwk: attackerJwk, kid: 'real' }), set, { algorithms: ['ES256'] }),
      'ERR_JWS_SIGNATURE',
    );
    expectCode(
      () =>
        verify(forged({ jwk: { ...attackerJwk, kid: 'evil' }, kid: 'evil' }), set, { algorithms: ['ES256'] }),
      'ERR_JWKS_NO_MATCH',
    );
    const keylessSet = createLocalKeySet({ keys: [exportJWK(es256.publicKey)] });
    expectCode(
      () => verify(forged({ jwk: attackerJwk }), keylessSet, { algorithms: ['ES256'] }),
      'ERR_JWS_SIGNATURE',
    );
  });

  it('jku, x5u and x5c are never fetched nor read', async () => {
    const headers = [
      { jku: url },
      { x5u: url },
      { x5c: [Buffer.from('not a certificate').toString('base64')] },
      { jku: url, x5u: url, jwk: attackerJwk },
    ];
    for (const header of headers) {
      expectCode(
        () => verify(forged(header), es256.publicKey, { algorithms: ['ES256'] }),
        'ERR_JWS_SIGNATURE',
      );
      await expectCodeAsync(
        () => verifyAsync(forged(header), es256.publicKey, { algorithms: ['ES256'] }),
        'ERR_JWS_SIGNATURE',
      );
    }
    expect(requests).toBe(0);
  });

  it('the real key still verifies tokens that carry such headers', () => {
    const t = sign({ sub: 'u1' }, es256.privateKey, { header: { jwk: attackerJwk, jku: url } });
    expect(verify(t, es256.publicKey, { algorithms: ['ES256'] }).payload.sub).toBe('u1');
  });
});

describe('the size limit', () => {
  const big = sign({ filler: 'x'.repeat(DEFAULT_MAX_TOKEN_SIZE) }, hs);

  it('is 16 KiB by default, and checked before anything is decoded', () => {
    expect(DEFAULT_MAX_TOKEN_SIZE).toBe(16 * 1024);
    expectCode(() => verify(big, hs, { algorithms: ['HS256'] }), 'ERR_JWT_TOO_LARGE');
    // Garbage of 16 KiB + 1 is refused for its size, not for its (unread) content.
    expectCode(
      () => verify('*'.repeat(DEFAULT_MAX_TOKEN_SIZE + 1), hs, { algorithms: ['HS256'] }),
      'ERR_JWT_TOO_LARGE',
    );
    expectCode(
      () => verify('*'.repeat(DEFAULT_MAX_TOKEN_SIZE), hs, { algorithms: ['HS256'] }),
      'ERR_JWS_INVALID',
    );
  });

  it('is configurable with maxTokenSize, exactly at the boundary', () => {
    expect(verify(big, hs, { algorithms: ['HS256'], maxTokenSize: 64 * 1024 }).payload.filler).toHaveLength(
      DEFAULT_MAX_TOKEN_SIZE,
    );
    const small = sign({ sub: 'u1' }, hs);
    expect(verify(small, hs, { algorithms: ['HS256'], maxTokenSize: small.length }).payload.sub).toBe('u1');
    expectCode(
      () => verify(small, hs, { algorithms: ['HS256'], maxTokenSize: small.length - 1 }),
      'ERR_JWT_TOO_LARGE',
    );
  });

  it('refuses maxTokenSize values that are not positive integers', () => {
    for (const maxTokenSize of [0, -1, 1.5, Number.NaN, '16384', null]) {
      expectCode(
        () => createVerifier({ key: hs, algorithms: ['HS256'], maxTokenSize } as never),
        'ERR_OPTION_INVALID',
      );
    }
  });
});

describe('the payload must be a JSON object', () => {
  const secret = randomBytes(32);
  const key = importKey(secret, 'HS256');
  const withPayload = (text: string | Buffer) => hmacToken({ alg: 'HS256' }, b64(text), secret);

  it('accepts an object', () => {
    expect(verify(withPayload('{"sub":"u1"}'), key, { algorithms: ['HS256'] }).payload).toEqual({
      sub: 'u1',
    });
  });
  for (const [what, text] of [
    ['an array', '[{"sub":"u1"}]'],
    ['a string', '"u1"'],
    ['a number', '1'],
    ['null', 'null'],
    ['empty text', ''],
    ['not JSON', 'sub=u1'],
    ['a duplicate claim', '{"sub":"u1","sub":"admin"}'],
    ['a duplicate claim deep inside', '{"a":[{"b":{"c":1,"c":2}}]}'],
    ['nesting deeper than 32', `${'{"a":'.repeat(32)}{}${'}'.repeat(32)}`],
  ] as const) {
    it(`refuses ${what}`, () => {
      expectCode(() => verify(withPayload(text), key, { algorithms: ['HS256'] }), 'ERR_JWT_INVALID');
    });
  }
  it('refuses invalid UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expectCode(() => verify(withPayload(bytes), key, { algorithms: ['HS256'] }), 'ERR_JWT_INVALID');
  });
  it('accepts nesting of exactly 32 levels', () => {
    const text = `${'{"a":'.repeat(31)}{}${'}'.repeat(31)}`;
    expect(verify(withPayload(text), key, { algorithms: ['HS256'] }).payload.a).toBeDefined();
  });
});

describe('createVerifier, verifyAsync and resolvers', () => {
  const token = sign({ sub: 'u1' }, es256.privateKey, { kid: 'k1' });
  const options: VerifyOptions = { algorithms: ['ES256'] };

  it('createVerifier needs a Key or a key set', () => {
    for (const key of [undefined, null, 'secret', exportJWK(es256.publicKey), es256.publicKey.keyObject]) {
      expectCode(() => createVerifier({ ...options, key } as never), 'ERR_OPTION_INVALID');
    }
    expect(createVerifier({ ...options, key: es256.publicKey })(token).key).toBe(es256.publicKey);
  });

  it('verify refuses a key that is not a Key', () => {
    expectCode(() => verify(token, exportJWK(es256.publicKey) as never, options), 'ERR_OPTION_INVALID');
  });

  it('verifyAsync takes a Key, a function, or an object with select', async () => {
    expect((await verifyAsync(token, es256.publicKey, options)).payload.sub).toBe('u1');
    expect((await verifyAsync(token, async () => es256.publicKey, options)).payload.sub).toBe('u1');
    expect((await verifyAsync(token, () => [es384.publicKey, es256.publicKey], options)).key).toBe(
      es256.publicKey,
    );
    expect((await verifyAsync(token, { select: async () => [es256.publicKey] }, options)).payload.sub).toBe(
      'u1',
    );
    const seen: unknown[] = [];
    await verifyAsync(
      token,
      (header) => {
        seen.push(header.kid);
        return es256.publicKey;
      },
      options,
    );
    expect(seen).toEqual(['k1']);
  });

  it('verifyAsync refuses bad resolvers and bad results', async () => {
    await expectCodeAsync(() => verifyAsync(token, undefined as never, options), 'ERR_OPTION_INVALID');
    await expectCodeAsync(
      () => verifyAsync(token, (() => undefined) as never, options),
      'ERR_OPTION_INVALID',
    );
    await expectCodeAsync(
      () => verifyAsync(token, (() => [exportJWK(es256.publicKey)]) as never, options),
      'ERR_OPTION_INVALID',
    );
    await expectCodeAsync(() => verifyAsync(token, () => [], options), 'ERR_JWKS_NO_MATCH');
    await expectCodeAsync(
      () => verifyAsync(token, () => es384.publicKey, options),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    await expectCodeAsync(
      () => verifyAsync(token, () => generateKeyPair('ES256').publicKey, options),
      'ERR_JWS_SIGNATURE',
    );
    await expectCodeAsync(
      () =>
        verifyAsync(
          token,
          () => [generateKeyPair('ES256').publicKey, generateKeyPair('ES256').publicKey],
          options,
        ),
      'ERR_JWKS_MULTIPLE_MATCHES',
    );
    await expectCodeAsync(() => verifyAsync(token, es256.publicKey, {} as never), 'ERR_OPTION_INVALID');
  });

  it('verifyAsync checks claims like verify', async () => {
    const expired = sign({}, es256.privateKey, {
      expiresIn: 10,
      currentDate: () => new Date((NOW - 100) * 1000),
    });
    await expectCodeAsync(
      () => verifyAsync(expired, es256.publicKey, { ...options, currentDate: NOW_DATE }),
      'ERR_JWT_EXPIRED',
      'exp',
    );
    await expectCodeAsync(
      () => verifyAsync(token, () => es256.publicKey, { ...options, audience: 'api' }),
      'ERR_JWT_AUDIENCE',
      'aud',
    );
  });

  it('a verifier caches headers without mixing up tokens', () => {
    const verifyToken = createVerifier({ key: hs, algorithms: ['HS256'] });
    for (let i = 0; i < 70; i++) {
      const t = sign({ i }, hs, { kid: `k${i % 66}` });
      expect(verifyToken(t).header.kid).toBe(`k${i % 66}`);
      expectCode(
        () => verifyToken(`${t.slice(0, -2)}${t.endsWith('AA') ? 'QA' : 'AA'}`),
        'ERR_JWS_SIGNATURE',
      );
    }
    const bad = hmacToken({ alg: 'HS256', crit: ['x'], x: 1 }, {}, randomBytes(32));
    expectCode(() => verifyToken(bad), 'ERR_JOSE_NOT_SUPPORTED');
    expectCode(() => verifyToken(bad), 'ERR_JOSE_NOT_SUPPORTED');
  });
});

describe('error messages never reveal the token or key material', () => {
  it('holds for a wide range of failures', () => {
    const secret = Buffer.from('sesame-secret-do-not-log-0123456789abcdef', 'utf8');
    const key = importKey(secret, 'HS256');
    const payload = {
      sub: 'user-private-subject-42',
      iss: 'https://issuer.example',
      aud: 'api',
      exp: NOW - 10,
      iat: NOW - 100,
    };
    const token = hmacToken({ alg: 'HS256', kid: 'kid-private-7' }, payload, secret);
    const [h, p, s] = token.split('.') as [string, string, string];
    const base: VerifyOptions = { algorithms: ['HS256'], currentDate: NOW_DATE };
    const failures: (() => unknown)[] = [
      () => verify(token, key, base),
      () => verify(token, key, { ...base, currentDate: new Date((NOW - 50) * 1000), audience: 'other' }),
      () => verify(token, key, { ...base, currentDate: new Date((NOW - 50) * 1000), issuer: 'other' }),
      () => verify(token, key, { ...base, currentDate: new Date((NOW - 50) * 1000), subject: 'other' }),
      () => verify(token, key, { ...base, currentDate: new Date((NOW - 50) * 1000), typ: 'at+jwt' }),
      () =>
        verify(token, key, { ...base, currentDate: new Date((NOW - 50) * 1000), requiredClaims: ['jti'] }),
      () => verify(token, key, { ...base, currentDate: new Date((NOW - 50) * 1000), maxTokenAge: 1 }),
      () => verify(token, key, { ...base, algorithms: ['HS384'] }),
      () => verify(token, key, { ...base, maxTokenSize: 10 }),
      () => verify(`${h}.${p}.${s.slice(0, -3)}AAA`, key, base),
      () => verify(`${h}.${p}.${s}=`, key, base),
      () => verify(`${h}=.${p}.${s}`, key, base),
      () => verify(`${h}.${p}=.${s}`, key, base),
      () => verify(`${h}.${p}`, key, base),
      () => verify(`${token}.${p}`, key, base),
      () => verify(token, importKey(randomBytes(32), 'HS256'), base),
      () => verify(token, es256.publicKey, { ...base, algorithms: ['HS256', 'ES256'] }),
      () =>
        verify(
          hmacToken({ alg: 'HS256', crit: ['kid-private-7'], 'kid-private-7': 1 }, payload, secret),
          key,
          base,
        ),
      () => verify(hmacToken({ alg: 'none-private' }, payload, secret), key, base),
      () => verify(hmacToken({ alg: 'HS256' }, b64('["user-private-subject-42"]'), secret), key, base),
      () =>
        verify(
          hmacToken({ alg: 'HS256' }, { ...payload, exp: 'user-private-subject-42' }, secret),
          key,
          base,
        ),
      () =>
        verify(
          hmacToken(
            { alg: 'HS256' },
            { ...payload, exp: NOW + 10, aud: ['user-private-subject-42', 7] },
            secret,
          ),
          key,
          base,
        ),
      () => decode(`${h}.${p}`),
      () => decode(`${h}.${b64('user-private-subject-42')}.${s}`),
      () => importKey(secret.subarray(0, 20), 'HS256'),
      () => importKey(rsaPem, 'HS256'),
      () => importKey(`${rsaPem.slice(0, 60)}garbage`, 'RS256'),
      () =>
        importKey(JSON.stringify({ kty: 'oct', k: secret.subarray(0, 20).toString('base64url') }), 'HS256'),
      () => importKey({ kty: 'oct', k: `${secret.toString('base64url')}=` }, 'HS256'),
    ];
    const forbidden = [
      token,
      h,
      p,
      s,
      `${h}.${p}`,
      'user-private-subject-42',
      'kid-private-7',
      secret.toString('utf8'),
      secret.toString('hex'),
      secret.toString('base64url'),
      secret.toString('base64'),
      secret.subarray(0, 20).toString('utf8'),
      secret.subarray(0, 20).toString('base64url'),
      createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'),
      rsaPem.split('\n')[1]!,
    ];
    const messages = failures.map((fn) => {
      const error = errorOf(fn);
      expect(error).toBeInstanceOf(JwtError);
      return { code: error.code, message: error.message, text: `${String(error)} ${JSON.stringify(error)}` };
    });
    expect(messages).toHaveLength(failures.length);
    for (const { message, text } of messages) {
      expect(message.length).toBeGreaterThan(0);
      for (const value of forbidden) {
        expect(text).not.toContain(value);
      }
    }
  });
});
