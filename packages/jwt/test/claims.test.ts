import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier, importKey, type VerifyOptions, verify } from '../src/index.js';
import { expectCode, hmacToken, NOW, NOW_DATE } from './helpers.js';

const SECRET = randomBytes(32);
const key = importKey(SECRET, 'HS256');

/** A token with exactly these claims (no iat unless given) and this header. */
const token = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  hmacToken({ alg: 'HS256', ...header }, claims, SECRET);
const check = (claims: Record<string, unknown>, options: Partial<VerifyOptions> = {}, header = {}) =>
  verify(token(claims, header), key, { algorithms: ['HS256'], currentDate: NOW_DATE, ...options }).payload;
const refused = (
  claims: Record<string, unknown>,
  options: Partial<VerifyOptions>,
  code: Parameters<typeof expectCode>[1],
  claim?: string,
  header = {},
) => expectCode(() => check(claims, options, header), code, claim);

describe('exp', () => {
  it('accepts a token that expires after now', () => {
    expect(check({ exp: NOW + 1 }).exp).toBe(NOW + 1);
  });
  it('refuses a token whose exp is now (RFC 7519: now must be before exp) or earlier', () => {
    refused({ exp: NOW }, {}, 'ERR_JWT_EXPIRED', 'exp');
    refused({ exp: NOW - 1 }, {}, 'ERR_JWT_EXPIRED', 'exp');
    refused({ exp: 0 }, {}, 'ERR_JWT_EXPIRED', 'exp');
  });
  it('applies the clock tolerance, as seconds and as a duration', () => {
    for (const clockTolerance of [30, '30s', '0.5m']) {
      expect(check({ exp: NOW - 29 }, { clockTolerance }).exp).toBe(NOW - 29);
      refused({ exp: NOW - 30 }, { clockTolerance }, 'ERR_JWT_EXPIRED', 'exp');
    }
  });
  it('accepts fractional NumericDates', () => {
    expect(check({ exp: NOW + 0.5 }).exp).toBe(NOW + 0.5);
    refused({ exp: NOW - 0.5 }, {}, 'ERR_JWT_EXPIRED', 'exp');
  });
});

describe('nbf', () => {
  it('accepts a token valid from now or earlier', () => {
    expect(check({ nbf: NOW }).nbf).toBe(NOW);
    expect(check({ nbf: NOW - 100 }).nbf).toBe(NOW - 100);
  });
  it('refuses a token not valid yet', () => {
    refused({ nbf: NOW + 1 }, {}, 'ERR_JWT_NOT_YET_VALID', 'nbf');
  });
  it('applies the clock tolerance', () => {
    expect(check({ nbf: NOW + 30 }, { clockTolerance: 30 }).nbf).toBe(NOW + 30);
    refused({ nbf: NOW + 31 }, { clockTolerance: '30s' }, 'ERR_JWT_NOT_YET_VALID', 'nbf');
  });
});

describe('iat', () => {
  it('accepts iat now or in the past', () => {
    expect(check({ iat: NOW }).iat).toBe(NOW);
    expect(check({ iat: NOW - 1000 }).iat).toBe(NOW - 1000);
  });
  it('refuses iat in the future beyond the tolerance', () => {
    refused({ iat: NOW + 1 }, {}, 'ERR_JWT_NOT_YET_VALID', 'iat');
    expect(check({ iat: NOW + 10 }, { clockTolerance: 10 }).iat).toBe(NOW + 10);
    refused({ iat: NOW + 11 }, { clockTolerance: 10 }, 'ERR_JWT_NOT_YET_VALID', 'iat');
  });
});

describe('maxTokenAge', () => {
  it('accepts a token issued within the maximum age', () => {
    expect(check({ iat: NOW - 60 }, { maxTokenAge: 60 }).iat).toBe(NOW - 60);
    expect(check({ iat: NOW - 60 }, { maxTokenAge: '1m' }).iat).toBe(NOW - 60);
  });
  it('refuses an older token', () => {
    refused({ iat: NOW - 61 }, { maxTokenAge: 60 }, 'ERR_JWT_EXPIRED', 'iat');
    refused({ iat: NOW - 3601 }, { maxTokenAge: '1h' }, 'ERR_JWT_EXPIRED', 'iat');
  });
  it('adds the clock tolerance', () => {
    expect(check({ iat: NOW - 70 }, { maxTokenAge: 60, clockTolerance: 10 }).iat).toBe(NOW - 70);
    refused({ iat: NOW - 71 }, { maxTokenAge: 60, clockTolerance: 10 }, 'ERR_JWT_EXPIRED', 'iat');
  });
  it('makes iat required', () => {
    expect(check({ sub: 'x' }).sub).toBe('x');
    refused({ sub: 'x' }, { maxTokenAge: 60 }, 'ERR_JWT_CLAIM_INVALID', 'iat');
  });
});

describe('currentDate', () => {
  it('takes a Date', () => {
    expect(check({ exp: NOW + 1 }, { currentDate: NOW_DATE }).exp).toBe(NOW + 1);
    refused({ exp: NOW + 1 }, { currentDate: new Date((NOW + 1) * 1000) }, 'ERR_JWT_EXPIRED', 'exp');
  });
  it('takes a function, called for every token', () => {
    let now = NOW;
    const verifyToken = createVerifier({
      key,
      algorithms: ['HS256'],
      currentDate: () => new Date(now * 1000),
    });
    const t = token({ exp: NOW + 60 });
    expect(verifyToken(t).payload.exp).toBe(NOW + 60);
    now = NOW + 60;
    expectCode(() => verifyToken(t), 'ERR_JWT_EXPIRED', 'exp');
    now = NOW + 59;
    expect(verifyToken(t).payload.exp).toBe(NOW + 60);
  });
  it('defaults to the system clock', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(check({ exp: now + 60 }, { currentDate: undefined }).exp).toBe(now + 60);
    refused({ exp: now - 1 }, { currentDate: undefined }, 'ERR_JWT_EXPIRED', 'exp');
  });
});

describe('audience', () => {
  const matches: [string | string[], string | string[]][] = [
    ['api', 'api'],
    [['api'], 'api'],
    [['other', 'api'], 'api'],
    ['api', ['other', 'api']],
    [
      ['x', 'api'],
      ['api', 'y'],
    ],
  ];
  for (const [aud, audience] of matches) {
    it(`accepts aud ${JSON.stringify(aud)} for audience ${JSON.stringify(audience)}`, () => {
      expect(check({ aud }, { audience }).aud).toEqual(aud);
    });
  }
  const mismatches: [unknown, string | string[]][] = [
    ['other', 'api'],
    [['other'], 'api'],
    [[], 'api'],
    ['API', 'api'],
    ['api ', 'api'],
    ['apiX', 'api'],
    [['a', 'p', 'i'], 'api'],
    ['other', ['api', 'web']],
    [
      ['x', 'y'],
      ['api', 'web'],
    ],
    // The classic bug: matching against array indices. "0" must not match aud ["api"].
    [['api'], '0'],
  ];
  for (const [aud, audience] of mismatches) {
    it(`refuses aud ${JSON.stringify(aud)} for audience ${JSON.stringify(audience)}`, () => {
      refused({ aud }, { audience }, 'ERR_JWT_AUDIENCE', 'aud');
    });
  }
  it('refuses a token without aud when an audience is expected', () => {
    refused({ sub: 'x' }, { audience: 'api' }, 'ERR_JWT_AUDIENCE', 'aud');
  });
});

describe('issuer', () => {
  it('accepts an exact match, against a string or a list', () => {
    expect(check({ iss: 'https://id.example' }, { issuer: 'https://id.example' }).iss).toBe(
      'https://id.example',
    );
    expect(
      check({ iss: 'https://b.example' }, { issuer: ['https://a.example', 'https://b.example'] }).iss,
    ).toBe('https://b.example');
  });
  it('refuses anything but an exact match', () => {
    for (const iss of [
      'https://id.example/',
      'https://ID.example',
      'https://id.example.evil',
      'https://id.exampl',
    ]) {
      refused({ iss }, { issuer: 'https://id.example' }, 'ERR_JWT_ISSUER', 'iss');
    }
    refused(
      { iss: 'https://c.example' },
      { issuer: ['https://a.example', 'https://b.example'] },
      'ERR_JWT_ISSUER',
      'iss',
    );
  });
  it('refuses a token without iss when an issuer is expected', () => {
    refused({ sub: 'x' }, { issuer: 'https://id.example' }, 'ERR_JWT_ISSUER', 'iss');
  });
});

describe('subject', () => {
  it('accepts the expected subject and refuses another or none', () => {
    expect(check({ sub: 'u1' }, { subject: 'u1' }).sub).toBe('u1');
    refused({ sub: 'u2' }, { subject: 'u1' }, 'ERR_JWT_CLAIM_INVALID', 'sub');
    refused({ iss: 'x' }, { subject: 'u1' }, 'ERR_JWT_CLAIM_INVALID', 'sub');
  });
});

describe('typ (RFC 8725 §3.11)', () => {
  it('compares case-insensitively and without "application/"', () => {
    for (const typ of [
      'at+jwt',
      'AT+JWT',
      'application/at+jwt',
      'application/AT+JWT',
      'Application/At+Jwt',
    ]) {
      expect(check({}, { typ: 'at+jwt' }, { typ })).toEqual({});
    }
    expect(check({}, { typ: 'application/at+jwt' }, { typ: 'at+jwt' })).toEqual({});
  });
  it('refuses another type or a missing typ', () => {
    refused({}, { typ: 'at+jwt' }, 'ERR_JWT_CLAIM_INVALID', 'typ', { typ: 'JWT' });
    refused({}, { typ: 'at+jwt' }, 'ERR_JWT_CLAIM_INVALID', 'typ', { typ: 'application/jwt' });
    refused({}, { typ: 'at+jwt' }, 'ERR_JWT_CLAIM_INVALID', 'typ', { typ: 'at+jwt2' });
    refused({}, { typ: 'at+jwt' }, 'ERR_JWT_CLAIM_INVALID', 'typ');
  });
});

describe('requiredClaims', () => {
  it('accepts tokens holding the claims and refuses those missing one', () => {
    expect(check({ jti: 'j', scope: 's' }, { requiredClaims: ['jti', 'scope'] }).jti).toBe('j');
    refused({ jti: 'j' }, { requiredClaims: ['jti', 'scope'] }, 'ERR_JWT_CLAIM_INVALID', 'scope');
    refused({ scope: 's' }, { requiredClaims: ['jti', 'scope'] }, 'ERR_JWT_CLAIM_INVALID', 'jti');
    refused({}, { requiredClaims: ['exp'] }, 'ERR_JWT_CLAIM_INVALID', 'exp');
    expect(check({}, { requiredClaims: [] })).toEqual({});
  });
  it('treats required iss and aud with their own codes', () => {
    refused({}, { requiredClaims: ['iss'] }, 'ERR_JWT_ISSUER', 'iss');
    refused({}, { requiredClaims: ['aud'] }, 'ERR_JWT_AUDIENCE', 'aud');
  });
});

describe('claims of the wrong JSON type are errors, never bypasses', () => {
  // Each case is refused with no option asking about the claim, and again with one.
  const cases: [
    string,
    Record<string, unknown>,
    Partial<VerifyOptions>,
    Parameters<typeof expectCode>[1],
    string,
  ][] = [
    ['exp as a string', { exp: String(NOW - 100) }, {}, 'ERR_JWT_CLAIM_INVALID', 'exp'],
    ['exp as a future string', { exp: String(NOW + 100) }, {}, 'ERR_JWT_CLAIM_INVALID', 'exp'],
    ['exp as null', { exp: null }, {}, 'ERR_JWT_CLAIM_INVALID', 'exp'],
    ['exp as a boolean', { exp: true }, {}, 'ERR_JWT_CLAIM_INVALID', 'exp'],
    ['exp as a list', { exp: [NOW + 100] }, {}, 'ERR_JWT_CLAIM_INVALID', 'exp'],
    ['nbf as a string', { nbf: String(NOW + 100) }, {}, 'ERR_JWT_CLAIM_INVALID', 'nbf'],
    ['iat as a string', { iat: String(NOW) }, {}, 'ERR_JWT_CLAIM_INVALID', 'iat'],
    [
      'iat as a string with maxTokenAge',
      { iat: String(NOW) },
      { maxTokenAge: 60 },
      'ERR_JWT_CLAIM_INVALID',
      'iat',
    ],
    ['aud as a number', { aud: 1 }, {}, 'ERR_JWT_AUDIENCE', 'aud'],
    ['aud as [1]', { aud: [1] }, {}, 'ERR_JWT_AUDIENCE', 'aud'],
    ['aud as ["api", 1]', { aud: ['api', 1] }, { audience: 'api' }, 'ERR_JWT_AUDIENCE', 'aud'],
    ['aud as ["api", 1] without audience', { aud: ['api', 1] }, {}, 'ERR_JWT_AUDIENCE', 'aud'],
    ['aud as an object', { aud: { 0: 'api' } }, { audience: 'api' }, 'ERR_JWT_AUDIENCE', 'aud'],
    ['aud as null', { aud: null }, {}, 'ERR_JWT_AUDIENCE', 'aud'],
    [
      'iss as a list',
      { iss: ['https://id.example'] },
      { issuer: 'https://id.example' },
      'ERR_JWT_ISSUER',
      'iss',
    ],
    ['iss as a list without issuer', { iss: ['https://id.example'] }, {}, 'ERR_JWT_ISSUER', 'iss'],
    ['iss as a number', { iss: 1 }, {}, 'ERR_JWT_ISSUER', 'iss'],
    ['sub as a number', { sub: 1 }, {}, 'ERR_JWT_CLAIM_INVALID', 'sub'],
    ['sub as a number with subject', { sub: 1 }, { subject: '1' }, 'ERR_JWT_CLAIM_INVALID', 'sub'],
    ['jti as a number', { jti: 1 }, {}, 'ERR_JWT_CLAIM_INVALID', 'jti'],
    ['jti as an object', { jti: {} }, {}, 'ERR_JWT_CLAIM_INVALID', 'jti'],
  ];
  for (const [what, claims, options, code, claim] of cases) {
    it(`refuses ${what}`, () => refused(claims, options, code, claim));
  }
  it('accepts the same claims with the right types', () => {
    const claims = {
      exp: NOW + 100,
      nbf: NOW,
      iat: NOW,
      aud: ['api', 'web'],
      iss: 'https://id.example',
      sub: '1',
      jti: 'j',
    };
    expect(
      check(claims, { audience: 'api', issuer: 'https://id.example', subject: '1', maxTokenAge: 60 }),
    ).toEqual(claims);
  });
});

describe('claim options are validated when the verifier is made', () => {
  const bad: [string, Partial<VerifyOptions>][] = [
    ['clockTolerance "30 parsecs"', { clockTolerance: '30 parsecs' }],
    ['clockTolerance "soon"', { clockTolerance: 'soon' }],
    ['clockTolerance -1', { clockTolerance: -1 }],
    ['clockTolerance NaN', { clockTolerance: Number.NaN }],
    ['clockTolerance Infinity', { clockTolerance: Number.POSITIVE_INFINITY }],
    ['clockTolerance "-5s"', { clockTolerance: '-5s' }],
    ['clockTolerance ""', { clockTolerance: '' }],
    ['clockTolerance as an object', { clockTolerance: {} as never }],
    ['maxTokenAge "x"', { maxTokenAge: 'x' }],
    ['maxTokenAge -60', { maxTokenAge: -60 }],
    ['an empty issuer list', { issuer: [] }],
    ['an issuer list with a number', { issuer: ['a', 1 as never] }],
    ['an issuer number', { issuer: 1 as never }],
    ['an empty audience list', { audience: [] }],
    ['an audience number', { audience: 5 as never }],
    ['an audience list with null', { audience: [null as never] }],
    ['a subject number', { subject: 5 as never }],
    ['a typ number', { typ: 5 as never }],
    ['requiredClaims as a string list with a number', { requiredClaims: ['a', 1 as never] }],
    ['currentDate as a string', { currentDate: '2024-01-01' as never }],
    ['currentDate as a number', { currentDate: NOW as never }],
  ];
  for (const [what, options] of bad) {
    it(`refuses ${what}`, () => {
      expectCode(() => createVerifier({ key, algorithms: ['HS256'], ...options }), 'ERR_OPTION_INVALID');
    });
  }
  it('accepts the same options with valid values', () => {
    const verifyToken = createVerifier({
      key,
      algorithms: ['HS256'],
      clockTolerance: '30 seconds',
      maxTokenAge: '2h',
      issuer: ['a'],
      audience: ['b'],
      subject: 'c',
      typ: 'JWT',
      requiredClaims: ['jti'],
      currentDate: () => NOW_DATE,
    });
    const t = token({ iss: 'a', aud: 'b', sub: 'c', jti: 'j', iat: NOW }, { typ: 'JWT' });
    expect(verifyToken(t).payload.jti).toBe('j');
  });
});
