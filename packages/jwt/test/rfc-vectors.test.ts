/**
 * The examples of the RFCs Sesame follows, typed in so that they run on a fresh clone: RFC 7515
 * appendix A, RFC 7520 §4.1–4.4, RFC 8037 appendix A and RFC 7638 §3.1. Keys are the public parts
 * unless a test signs. (`npm run conformance` runs the same documents, and many more vectors, from
 * ../shared/vectors.)
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  ALGORITHMS,
  type Algorithm,
  importJWK,
  isJwtError,
  type JWK,
  signJws,
  thumbprint,
  thumbprintUri,
  verify,
  verifyJws,
} from '../src/index.js';

/** The code of the JwtError `fn` throws; fails the test when it throws nothing or something else. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isJwtError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a JwtError, nothing was thrown');
}

// RFC 7515 appendix A. The A.1–A.3 payload is a JWT claims set whose exp, 1300819380, is in 2011.
const A1_KEY: JWK = {
  kty: 'oct',
  k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
  kid: 'HMAC key used in JWS A.1 example',
};
const A1_TOKEN =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const A2_KEY: JWK = {
  kty: 'RSA',
  n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
  e: 'AQAB',
};
const A2_TOKEN =
  'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw';
const A3_KEY: JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};
const A3_TOKEN =
  'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q';
const A4_KEY: JWK = {
  kty: 'EC',
  crv: 'P-521',
  x: 'AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk',
  y: 'ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2',
};
const A4_TOKEN =
  'eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn';
const A5_TOKEN =
  'eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.';

// RFC 7520 §3.3 (RSA), §3.2 (EC P-521) and §3.5 (HMAC) keys, public parts.
const BILBO_RSA: JWK = {
  kty: 'RSA',
  kid: 'bilbo.baggins@hobbiton.example',
  use: 'sig',
  n: 'n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw',
  e: 'AQAB',
};
const BILBO_EC: JWK = {
  kty: 'EC',
  kid: 'bilbo.baggins@hobbiton.example',
  use: 'sig',
  crv: 'P-521',
  x: 'AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt',
  y: 'AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1',
};
const HOBBIT_OCT: JWK = {
  kty: 'oct',
  kid: '018c0ae5-4d9b-471b-bfd6-eef314bc7037',
  use: 'sig',
  alg: 'HS256',
  k: 'hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg',
};
const RFC7520_4_1 =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg';
const RFC7520_4_2 =
  'eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw';
const RFC7520_4_3 =
  'eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2';
const RFC7520_4_4 =
  'eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0';

// RFC 8037 A.1 (private key; A.2 is its public part) and A.4 (the JWS).
const ED25519_KEY: JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};
const ED25519_TOKEN =
  'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';

// RFC 7638 §3.1: the RSA key of RFC 7517 appendix A.1.
const RFC7638_KEY: JWK = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};

const A_CLAIMS_EXP = 1300819380;
/** A clock one second before the A.1–A.3 tokens expire. */
const BEFORE_EXP = new Date((A_CLAIMS_EXP - 1) * 1000);

// RFC 7520 §4: one payload, signed with the keys of §3 ("bilbo.baggins@hobbiton.example").
const FRODO =
  'It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if you ' +
  "don't keep your feet, there\u2019s no knowing where you might be swept off to.";

describe('RFC 7515 appendix A', () => {
  it('A.1 HS256: verifies over the header bytes as received, CR LF included', () => {
    const key = importJWK(A1_KEY, 'HS256');
    const headerBytes = Buffer.from(A1_TOKEN.split('.')[0]!, 'base64url').toString('utf8');
    expect(headerBytes).toBe('{"typ":"JWT",\r\n "alg":"HS256"}');
    const { header, payload } = verify(A1_TOKEN, key, { algorithms: ['HS256'], currentDate: BEFORE_EXP });
    expect(header).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(payload).toEqual({ iss: 'joe', exp: A_CLAIMS_EXP, 'http://example.com/is_root': true });
  });

  it('A.1 HS256: the same header re-serialized without the white space does not verify', () => {
    const key = importJWK(A1_KEY, 'HS256');
    const [, payloadSegment, signature] = A1_TOKEN.split('.');
    const reserialized = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
    expect(
      codeOf(() =>
        verifyJws(`${reserialized}.${payloadSegment}.${signature}`, key, { algorithms: ['HS256'] }),
      ),
    ).toBe('ERR_JWS_SIGNATURE');
  });

  it('A.1 HS256: expired by the system clock, as the RFC example is from 2011', () => {
    const key = importJWK(A1_KEY, 'HS256');
    expect(codeOf(() => verify(A1_TOKEN, key, { algorithms: ['HS256'] }))).toBe('ERR_JWT_EXPIRED');
    const atExp = new Date(A_CLAIMS_EXP * 1000);
    expect(codeOf(() => verify(A1_TOKEN, key, { algorithms: ['HS256'], currentDate: atExp }))).toBe(
      'ERR_JWT_EXPIRED',
    );
  });

  for (const [section, alg, jwk, token] of [
    ['A.2', 'RS256', A2_KEY, A2_TOKEN],
    ['A.3', 'ES256', A3_KEY, A3_TOKEN],
  ] as const) {
    it(`${section} ${alg}: verifies with the public key`, () => {
      const { payload } = verify(token, importJWK(jwk, alg), { algorithms: [alg], currentDate: BEFORE_EXP });
      expect(payload).toEqual({ iss: 'joe', exp: A_CLAIMS_EXP, 'http://example.com/is_root': true });
    });
  }

  it('A.3 ES256: s is above n/2, and its twin (r, n - s) verifies too: ECDSA is malleable, both are accepted', () => {
    // Refusing high s (as Bitcoin does) would refuse this RFC example, Wycheproof's valid ES256
    // case 18 and about half of what OpenSSL, and so node and jose, sign. Nothing in Sesame relies on
    // a signature being unique (docs/security.md, "ECDSA signatures"); this pins that choice.
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const [headerSegment, payloadSegment, signature] = A3_TOKEN.split('.') as [string, string, string];
    const raw = Buffer.from(signature, 'base64url');
    const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
    expect(s > n / 2n).toBe(true);
    const twin = Buffer.concat([
      raw.subarray(0, 32),
      Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
    ]);
    const token = `${headerSegment}.${payloadSegment}.${twin.toString('base64url')}`;
    expect(token).not.toBe(A3_TOKEN);
    const key = importJWK(A3_KEY, 'ES256');
    expect(verify(token, key, { algorithms: ['ES256'], currentDate: BEFORE_EXP }).payload.iss).toBe('joe');
  });

  it('A.4 ES512: verifies the payload bytes "Payload"', () => {
    const { header, payload } = verifyJws(A4_TOKEN, importJWK(A4_KEY, 'ES512'), { algorithms: ['ES512'] });
    expect(header).toEqual({ alg: 'ES512' });
    expect(payload.toString('utf8')).toBe('Payload');
  });

  it('A.5 alg none: refused whatever the key and the allow-list', () => {
    const key = importJWK(A1_KEY, 'HS256');
    const everything = { algorithms: [...ALGORITHMS], currentDate: BEFORE_EXP };
    expect(codeOf(() => verify(A5_TOKEN, key, everything))).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(codeOf(() => verifyJws(A5_TOKEN, key, everything))).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    // "none" cannot even be put in the allow-list.
    const none = ['none'] as unknown as Algorithm[];
    expect(codeOf(() => verifyJws(A5_TOKEN, key, { algorithms: none }))).toBe('ERR_OPTION_INVALID');
  });
});

describe('RFC 7520 §4 (JOSE cookbook)', () => {
  for (const [section, alg, jwk, token] of [
    ['4.1', 'RS256', BILBO_RSA, RFC7520_4_1],
    ['4.2', 'PS384', BILBO_RSA, RFC7520_4_2],
    ['4.3', 'ES512', BILBO_EC, RFC7520_4_3],
    ['4.4', 'HS256', HOBBIT_OCT, RFC7520_4_4],
  ] as const) {
    it(`${section} ${alg}: verifies, and the payload is the example's`, () => {
      const { header, payload } = verifyJws(token, importJWK(jwk, alg), { algorithms: [alg] });
      expect(header).toEqual({ alg, kid: jwk.kid });
      expect(payload.toString('utf8')).toBe(FRODO);
    });
  }

  it('4.4 HS256: signing the example reproduces the token (HMAC is deterministic)', () => {
    const key = importJWK(HOBBIT_OCT, 'HS256');
    expect(signJws(FRODO, key, { alg: 'HS256', kid: HOBBIT_OCT.kid })).toBe(RFC7520_4_4);
  });

  it('4.1 and 4.2 share one RSA key, yet an RS256 key never verifies PS384 and the reverse', () => {
    expect(
      codeOf(() => verifyJws(RFC7520_4_2, importJWK(BILBO_RSA, 'RS256'), { algorithms: ['RS256'] })),
    ).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    const psKey = importJWK(BILBO_RSA, 'PS384');
    expect(codeOf(() => verifyJws(RFC7520_4_1, psKey, { algorithms: ['RS256', 'PS384'] }))).toBe(
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
  });

  // Regression: Wycheproof tcId 349 gives this key key_ops ["sign, verify"], one unregistered
  // string. RFC 7517 §4.3 lets key_ops hold values beyond the registered ones; Sesame ignores
  // them, and refuses a key only when the registered operations it lists exclude signatures.
  it('key_ops: unregistered values are ignored, registered ones that exclude signatures refuse the key', () => {
    const withOps = (key_ops: string[]): JWK => ({ ...BILBO_RSA, key_ops });
    for (const ops of [['sign, verify'], ['verify'], ['verify', 'x-custom']]) {
      const key = importJWK(withOps(ops), 'RS256');
      expect(verifyJws(RFC7520_4_1, key, { algorithms: ['RS256'] }).payload.toString('utf8')).toBe(FRODO);
    }
    for (const ops of [['encrypt'], ['sign, verify', 'encrypt'], ['wrapKey', 'x-custom'], []]) {
      expect(codeOf(() => importJWK(withOps(ops), 'RS256'))).toBe('ERR_JWK_INVALID');
    }
    // A private key may list "sign" alone; an unregistered value beside it changes nothing.
    expect(importJWK({ ...ED25519_KEY, key_ops: ['sign', 'sign, verify'] }, 'EdDSA').type).toBe('private');
  });
});

describe('RFC 8037 appendix A (Ed25519)', () => {
  const { d: _d, ...publicKey } = ED25519_KEY;

  it('A.4: verifies the example with the A.2 public key', () => {
    const { header, payload } = verifyJws(ED25519_TOKEN, importJWK(publicKey, 'EdDSA'), {
      algorithms: ['EdDSA'],
    });
    expect(header).toEqual({ alg: 'EdDSA' });
    expect(payload.toString('utf8')).toBe('Example of Ed25519 signing');
  });

  it('A.4: signing with the A.1 private key reproduces the token (Ed25519 is deterministic)', () => {
    expect(signJws('Example of Ed25519 signing', importJWK(ED25519_KEY, 'EdDSA'))).toBe(ED25519_TOKEN);
  });

  it('A.3: the thumbprint of the A.2 public key', () => {
    expect(thumbprint(publicKey)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expect(thumbprint(importJWK(ED25519_KEY, 'EdDSA'))).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });
});

describe('RFC 7638 §3.1 (JWK thumbprint)', () => {
  it('hashes only the required members, in lexicographic order', () => {
    expect(thumbprint(RFC7638_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    // The same key imported: alg and kid are not part of the thumbprint.
    expect(thumbprint(importJWK(RFC7638_KEY, 'RS256'))).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('with SHA-384 and SHA-512, and as an RFC 9278 URI', () => {
    expect(thumbprint(RFC7638_KEY, 'sha384')).toBe(
      'R9_OfJjSjaw8Fuum86UzK5ixTdN9bo9BaqPSiseq89DWfmqCdpSgUHus-cxDUNc8',
    );
    expect(thumbprint(RFC7638_KEY, 'sha512')).toBe(
      'DpvEwocfn3FjeWWQjcJHzWrpKTIymKwgoL1xVgQcud48-qZDSRCr1zfWZQdHAJn_ciqXqPTSARyg-L-NyNGpVA',
    );
    expect(thumbprintUri(RFC7638_KEY)).toBe(
      'urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });
});
