import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, importKey, signJws, verify, verifyJws } from '../src/index.js';
import { b64, expectCode, hmacToken, nonCanonical } from './helpers.js';

const SECRET = randomBytes(32);
const key = importKey(SECRET, 'HS256');
const HS = { algorithms: ['HS256'] as const };
const check = (token: string, options: Partial<Parameters<typeof verify>[2]> = {}) =>
  verify(token, key, { algorithms: ['HS256'], ...options });

/** A header of exactly the given JSON text. */
const rawHeader = (text: string | Buffer) => b64(typeof text === 'string' ? Buffer.from(text) : text);
const PAYLOAD = { sub: 'u1' };

/** `{"alg":"HS256","x":…}` with `depth` levels of nesting in all (the header itself is level 1). */
function nested(depth: number, open = '{"x":', close = '}', leaf = '{}'): string {
  if (depth === 1) return '{"alg":"HS256"}';
  return `{"alg":"HS256","x":${open.repeat(depth - 2)}${leaf}${close.repeat(depth - 2)}}`;
}

describe('signJws and verifyJws', () => {
  it('round-trips arbitrary bytes, which need not be JSON', () => {
    const { privateKey, publicKey } = generateKeyPair('ES256', { kid: 'e1' });
    const token = signJws(Buffer.from([0, 1, 2, 255]), privateKey, { cty: 'octet' });
    const { header, payload } = verifyJws(token, publicKey, { algorithms: ['ES256'] });
    expect(header).toEqual({ alg: 'ES256', cty: 'octet' });
    expect(payload).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(verifyJws(signJws('plain text', key), key, HS).payload.toString()).toBe('plain text');
  });

  it('refuses a tampered payload and a payload segment that is not strict base64url', () => {
    const token = signJws('hello', key);
    const [h, p, s] = token.split('.');
    expect(verifyJws(`${h}.${p}.${s}`, key, HS).payload.toString()).toBe('hello');
    expectCode(() => verifyJws(`${h}.${b64('hellp')}.${s}`, key, HS), 'ERR_JWS_SIGNATURE');
    // Correctly signed, but the payload segment itself is malformed.
    for (const bad of [`${p}=`, nonCanonical(p!), `${p}A`.slice(0, p!.length - 1) + '*']) {
      expectCode(() => verifyJws(hmacToken({ alg: 'HS256' }, bad, SECRET), key, HS), 'ERR_JWS_INVALID');
    }
  });

  it('needs an allow-list like verify', () => {
    expectCode(() => verifyJws(signJws('x', key), key, {} as never), 'ERR_OPTION_INVALID');
    expectCode(
      () => verifyJws(signJws('x', key), key, { algorithms: ['HS384'] }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
  });

  it('signJws takes the alg from the key and refuses a mismatching one', () => {
    expect(signJws('x', key, { alg: 'HS256' }).startsWith(b64('{"alg":"HS256"}'))).toBe(true);
    expectCode(() => signJws('x', key, { alg: 'RS256' }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => signJws('x', key, { alg: 'none' }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => signJws('x', key, { alg: 'HS512' }), 'ERR_JWK_INVALID'); // 32-byte secret
  });
});

describe('compact serialization: three segments', () => {
  const good = hmacToken({ alg: 'HS256' }, PAYLOAD, SECRET);

  it('accepts exactly three segments', () => {
    expect(check(good).payload).toEqual(PAYLOAD);
  });

  for (const [what, token] of [
    ['an empty string', ''],
    ['one segment', good.split('.')[0]!],
    ['two segments', good.split('.').slice(0, 2).join('.')],
    ['four segments', `${good}.`],
    ['five segments (a JWE)', `${good}.AAAA.AAAA`],
    ['only dots', '..'],
    ['a leading dot', `.${good}`],
  ] as const) {
    it(`refuses ${what}`, () => expectCode(() => check(token), 'ERR_JWS_INVALID'));
  }

  it('refuses an empty signature segment', () => {
    const [h, p] = good.split('.');
    expectCode(() => check(`${h}.${p}.`), 'ERR_JWS_SIGNATURE');
  });

  it('refuses tokens that are not strings', () => {
    for (const value of [undefined, null, 42, {}, Buffer.from(good)]) {
      expectCode(() => check(value as never), 'ERR_JWS_INVALID');
    }
  });
});

describe('strict base64url in every segment', () => {
  // Values chosen so the segments hold "-" and "_" and have unused trailing bits.
  const header = { alg: 'HS256', kid: '??>>~~' };
  const payload = { sub: '??>>~~' };
  const h = b64(JSON.stringify(header));
  const p = b64(JSON.stringify(payload));
  const trailingHeader = { alg: 'HS256', kid: 'a?>~' };
  const trailingPayload = { sub: 'a?>~' };
  const th = b64(JSON.stringify(trailingHeader));
  const tp = b64(JSON.stringify(trailingPayload));

  it('the fixtures verify as they are', () => {
    expect(h).toMatch(/-/);
    expect(h).toMatch(/_/);
    expect(p).toMatch(/-/);
    expect(p).toMatch(/_/);
    expect(th.length % 4).toBe(2);
    expect(tp.length % 4).toBe(3);
    expect(check(hmacToken(h, p, SECRET)).payload).toEqual(payload);
    expect(check(hmacToken(th, tp, SECRET)).header).toEqual(trailingHeader);
  });

  const variants = (segment: string, trailing: string): [string, string][] => [
    ['padding', trailing + '='.repeat(4 - (trailing.length % 4))],
    ['a space', `${segment.slice(0, 8)} ${segment.slice(8)}`],
    ['a newline', `${segment.slice(0, 8)}\n${segment.slice(8)}`],
    ['"+" for "-"', segment.replace(/-/g, '+')],
    ['"/" for "_"', segment.replace(/_/g, '/')],
    ['a character outside the alphabet', `${segment.slice(0, 8)}*${segment.slice(9)}`],
    ['a non-ASCII character', `${segment.slice(0, 8)}é${segment.slice(9)}`],
    ['length % 4 == 1', segment + 'A'.repeat((((1 - segment.length) % 4) + 4) % 4 || 4)],
    ['non-canonical trailing bits', nonCanonical(trailing)],
  ];

  for (const [what, bad] of variants(h, th)) {
    it(`refuses ${what} in the header`, () => {
      expectCode(() => check(hmacToken(bad, p, SECRET)), 'ERR_JWS_INVALID');
    });
  }
  for (const [what, bad] of variants(p, tp)) {
    it(`refuses ${what} in the payload`, () => {
      expectCode(() => check(hmacToken(h, bad, SECRET)), 'ERR_JWS_INVALID');
    });
  }

  it('refuses every kind of malformed signature segment', () => {
    const token = hmacToken(h, p, SECRET);
    const s = token.split('.')[2]!;
    expect(s.length % 4).toBe(3);
    expect(check(`${h}.${p}.${s}`).payload).toEqual(payload);
    const bad = [
      `${s}=`,
      `${s.slice(0, 10)} ${s.slice(10)}`,
      `${s.slice(0, 10)}*${s.slice(11)}`,
      nonCanonical(s),
      `${s}AA`, // length % 4 == 1
      Buffer.from(s, 'base64url').toString('base64'), // the standard alphabet, with padding
    ];
    for (const signature of bad) {
      expectCode(() => check(`${h}.${p}.${signature}`), 'ERR_JWS_SIGNATURE');
    }
  });

  it('the length % 4 == 1 variants really have that length', () => {
    for (const [what, bad] of [...variants(h, th), ...variants(p, tp)]) {
      if (what === 'length % 4 == 1') expect(bad.length % 4).toBe(1);
    }
  });
});

describe('the header must be a strict JSON object', () => {
  it('accepts a plain object header', () => {
    expect(check(hmacToken(rawHeader('{"alg":"HS256","typ":"JWT"}'), PAYLOAD, SECRET)).header.typ).toBe(
      'JWT',
    );
  });

  for (const [what, text] of [
    ['an array', '["HS256"]'],
    ['a string', '"HS256"'],
    ['a number', '256'],
    ['null', 'null'],
    ['true', 'true'],
    ['empty text', ''],
    ['invalid JSON', '{"alg":"HS256"'],
    ['JSON with a trailing comma', '{"alg":"HS256",}'],
    ['a duplicate member', '{"alg":"HS256","alg":"HS256"}'],
    ['a duplicate alg that would downgrade', '{"alg":"HS256","alg":"none"}'],
    ['a duplicate member spelled with an escape', '{"alg":"HS256","kid":"a","\\u006bid":"b"}'],
    ['a duplicate member in a nested object', '{"alg":"HS256","x":{"a":1,"b":{"c":1,"c":2}}}'],
    ['a duplicate member inside an array', '{"alg":"HS256","x":[1,{"a":1,"a":1}]}'],
    ['no alg', '{"typ":"JWT"}'],
    ['a non-string alg', '{"alg":256}'],
    ['a null alg', '{"alg":null}'],
    ['a non-string kid', '{"alg":"HS256","kid":7}'],
    ['a non-string typ', '{"alg":"HS256","typ":["JWT"]}'],
    ['a non-string cty', '{"alg":"HS256","cty":{}}'],
  ] as const) {
    it(`refuses ${what}`, () => {
      expectCode(() => check(hmacToken(rawHeader(text), PAYLOAD, SECRET)), 'ERR_JWS_INVALID');
    });
  }

  it('is not fooled by colons and quotes inside strings', () => {
    const text = '{"alg":"HS256","kid":"a:b\\":c","x":["::",{"y":"\\\\"}]}';
    expect(check(hmacToken(rawHeader(text), PAYLOAD, SECRET)).header.kid).toBe('a:b":c');
  });

  for (const [what, bytes] of [
    ['a 0xff byte', [0xff]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ] as const) {
    it(`refuses invalid UTF-8: ${what}`, () => {
      const text = Buffer.concat([
        Buffer.from('{"alg":"HS256","kid":"'),
        Buffer.from(bytes),
        Buffer.from('"}'),
      ]);
      expectCode(() => check(hmacToken(rawHeader(text), PAYLOAD, SECRET)), 'ERR_JWS_INVALID');
    });
  }

  it('accepts valid multi-byte UTF-8', () => {
    const text = Buffer.from('{"alg":"HS256","kid":"clé-🔑"}');
    expect(check(hmacToken(rawHeader(text), PAYLOAD, SECRET)).header.kid).toBe('clé-🔑');
  });

  it('accepts nesting of 32 levels and refuses 33, for objects and arrays', () => {
    expect(check(hmacToken(rawHeader(nested(32)), PAYLOAD, SECRET)).header.alg).toBe('HS256');
    expectCode(() => check(hmacToken(rawHeader(nested(33)), PAYLOAD, SECRET)), 'ERR_JWS_INVALID');
    expect(check(hmacToken(rawHeader(nested(32, '[', ']', '[]')), PAYLOAD, SECRET)).header.alg).toBe('HS256');
    expectCode(
      () => check(hmacToken(rawHeader(nested(33, '[', ']', '[]')), PAYLOAD, SECRET)),
      'ERR_JWS_INVALID',
    );
    expectCode(() => check(hmacToken(rawHeader(nested(2000)), PAYLOAD, SECRET)), 'ERR_JWS_INVALID');
  });
});

describe('crit and b64 (RFC 7515 §4.1.11, RFC 7797)', () => {
  const token = (header: Record<string, unknown>) => hmacToken({ alg: 'HS256', ...header }, PAYLOAD, SECRET);

  it('accepts a critical parameter the caller understands', () => {
    expect(check(token({ crit: ['sesame'], sesame: 1 }), { crit: ['sesame'] }).header.sesame).toBe(1);
    expect(check(token({ crit: ['a', 'b'], a: 1, b: 2 }), { crit: ['b', 'a'] }).header.crit).toEqual([
      'a',
      'b',
    ]);
  });

  it('refuses a critical parameter the caller does not understand', () => {
    expectCode(() => check(token({ crit: ['sesame'], sesame: 1 })), 'ERR_JOSE_NOT_SUPPORTED');
    expectCode(
      () => check(token({ crit: ['a', 'b'], a: 1, b: 2 }), { crit: ['a'] }),
      'ERR_JOSE_NOT_SUPPORTED',
    );
  });

  for (const [what, header] of [
    ['a registered name (kid)', { crit: ['kid'], kid: 'k' }],
    ['a registered name (alg)', { crit: ['alg'] }],
    ['crit itself', { crit: ['crit'] }],
    ['a name missing from the header', { crit: ['sesame'] }],
    ['an empty list', { crit: [] }],
    ['a string instead of a list', { crit: 'sesame', sesame: 1 }],
    ['a non-string member', { crit: [1] }],
    ['null', { crit: null }],
  ] as const) {
    it(`refuses crit with ${what}, even when understood`, () => {
      expectCode(() => check(token(header), { crit: ['sesame', 'kid', 'alg', 'crit'] }), 'ERR_JWS_INVALID');
    });
  }

  it('refuses unencoded payloads (b64: false), understood or not', () => {
    expect(check(token({ b64: true })).payload).toEqual(PAYLOAD);
    expectCode(() => check(token({ b64: false })), 'ERR_JOSE_NOT_SUPPORTED');
    expectCode(
      () => check(token({ b64: false, crit: ['b64'] }), { crit: ['b64'] }),
      'ERR_JOSE_NOT_SUPPORTED',
    );
    expectCode(() => check(token({ b64: 'false' })), 'ERR_JOSE_NOT_SUPPORTED');
  });
});
