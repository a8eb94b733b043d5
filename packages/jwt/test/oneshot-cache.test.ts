/**
 * The one-shot `verify` and `sign` remember what they compiled for a set of option values: a later
 * call must never run under the rules of an earlier one. Each case calls with options A, then B,
 * then A again, each a fresh object as most callers write them, and checks the rule of the call.
 */
import { describe, expect, it } from 'vitest';
import {
  createVerifier,
  decode,
  generateKeyPair,
  generateSecret,
  importKey,
  type JwtPayload,
  sign,
  type VerifyOptions,
  verify,
  verifyAsync,
} from '../src/index.js';
import { expectCode, hmacToken, NOW, NOW_DATE } from './helpers.js';

const secret = generateSecret('HS256');
const raw = secret.keyObject.export();
const claims = { sub: 'u1', iss: 'https://a.example', aud: 'api', iat: NOW - 10, exp: NOW + 60, jti: 'j1' };
const token = hmacToken({ alg: 'HS256', typ: 'at+jwt' }, claims, raw);
const base = { algorithms: ['HS256'], currentDate: NOW_DATE } as const;

/** Each option: a value the token passes, and one it fails with this code. */
const RULES: [string, Partial<VerifyOptions>, Partial<VerifyOptions>, string][] = [
  ['algorithms', { algorithms: ['HS256'] }, { algorithms: ['HS384'] }, 'ERR_JOSE_ALG_NOT_ALLOWED'],
  ['issuer', { issuer: 'https://a.example' }, { issuer: 'https://b.example' }, 'ERR_JWT_ISSUER'],
  ['audience', { audience: ['x', 'api'] }, { audience: ['x', 'web'] }, 'ERR_JWT_AUDIENCE'],
  ['subject', { subject: 'u1' }, { subject: 'u2' }, 'ERR_JWT_CLAIM_INVALID'],
  ['typ', { typ: 'at+jwt' }, { typ: 'JWT' }, 'ERR_JWT_CLAIM_INVALID'],
  ['requiredClaims', { requiredClaims: ['jti'] }, { requiredClaims: ['nonce'] }, 'ERR_JWT_CLAIM_INVALID'],
  ['maxTokenAge', { maxTokenAge: 60 }, { maxTokenAge: 5 }, 'ERR_JWT_EXPIRED'],
  [
    'clockTolerance',
    { clockTolerance: 100, currentDate: new Date((NOW + 100) * 1000) },
    { clockTolerance: 1, currentDate: new Date((NOW + 100) * 1000) },
    'ERR_JWT_EXPIRED',
  ],
  ['currentDate', { currentDate: NOW_DATE }, { currentDate: new Date((NOW + 61) * 1000) }, 'ERR_JWT_EXPIRED'],
  ['maxTokenSize', { maxTokenSize: 4096 }, { maxTokenSize: 16 }, 'ERR_JWT_TOO_LARGE'],
];

describe('one-shot verify: options compiled once are never reused for other options', () => {
  for (const [option, pass, fail, code] of RULES) {
    it(`applies each call's ${option}`, () => {
      for (let round = 0; round < 2; round++) {
        expect(verify(token, secret, { ...base, ...pass }).payload.sub).toBe('u1');
        expectCode(() => verify(token, secret, { ...base, ...fail }), code as never);
      }
    });
  }

  it("applies each call's crit list", () => {
    const critical = hmacToken({ alg: 'HS256', crit: ['x-ack'], 'x-ack': 1 }, claims, raw);
    for (let round = 0; round < 2; round++) {
      expect(verify(critical, secret, { ...base, crit: ['x-ack'] }).payload.sub).toBe('u1');
      expectCode(() => verify(critical, secret, { ...base, crit: ['x-other'] }), 'ERR_JOSE_NOT_SUPPORTED');
    }
  });

  it('sees a change to the options object or to a list it passed before', () => {
    const options: VerifyOptions = { ...base, audience: ['api'] };
    expect(verify(token, secret, options).payload.sub).toBe('u1');
    (options.audience as string[])[0] = 'web';
    expectCode(() => verify(token, secret, options), 'ERR_JWT_AUDIENCE');
    options.audience = ['api'];
    options.issuer = 'https://b.example';
    expectCode(() => verify(token, secret, options), 'ERR_JWT_ISSUER');
    const algorithms = ['HS256'] as VerifyOptions['algorithms'] & string[];
    expect(verify(token, secret, { algorithms, currentDate: NOW_DATE }).payload.sub).toBe('u1');
    algorithms[0] = 'HS512';
    expectCode(
      () => verify(token, secret, { algorithms, currentDate: NOW_DATE }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
  });

  it('does not let a list changed after a call change what that call compiled', () => {
    const audience = ['api'];
    expect(verify(token, secret, { ...base, audience }).payload.sub).toBe('u1');
    audience.push('web');
    const forWeb = hmacToken({ alg: 'HS256' }, { ...claims, aud: 'web' }, raw);
    expect(verify(forWeb, secret, { ...base, audience }).payload.aud).toBe('web');
    expectCode(() => verify(forWeb, secret, { ...base, audience: ['api'] }), 'ERR_JWT_AUDIENCE');
  });

  it('reads a clock function on every call, and a different function is a different option', () => {
    let now = NOW;
    const clock = () => new Date(now * 1000);
    expect(verify(token, secret, { ...base, currentDate: clock }).payload.sub).toBe('u1');
    now = NOW + 61;
    expectCode(() => verify(token, secret, { ...base, currentDate: clock }), 'ERR_JWT_EXPIRED');
    expect(verify(token, secret, { ...base, currentDate: () => NOW_DATE }).payload.sub).toBe('u1');
  });

  it('checks the options of every call, after valid ones too', () => {
    expect(verify(token, secret, { ...base }).payload.sub).toBe('u1');
    for (const bad of [
      { algorithms: [] },
      { algorithms: ['none'] },
      { ...base, issuer: [] },
      { ...base, maxTokenSize: 0 },
    ]) {
      for (let round = 0; round < 2; round++) {
        expectCode(() => verify(token, secret, bad as never), 'ERR_OPTION_INVALID');
      }
    }
  });

  it('checks the key of every call against the token', () => {
    const other = generateSecret('HS256');
    const es = generateKeyPair('ES256');
    expect(verify(token, secret, { ...base }).payload.sub).toBe('u1');
    expectCode(() => verify(token, other, { ...base }), 'ERR_JWS_SIGNATURE');
    expectCode(() => verify(token, es.publicKey, { ...base }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => verify(token, 'secret' as never, { ...base }), 'ERR_OPTION_INVALID');
  });

  it('stays right past the number of option sets it holds, and in verifyAsync', async () => {
    for (let i = 0; i < 40; i++) {
      expectCode(() => verify(token, secret, { ...base, issuer: `https://${i}.example` }), 'ERR_JWT_ISSUER');
    }
    expect(verify(token, secret, { ...base, issuer: 'https://a.example' }).payload.sub).toBe('u1');
    expect((await verifyAsync(token, secret, { ...base, audience: 'api' })).payload.sub).toBe('u1');
    await expect(verifyAsync(token, secret, { ...base, audience: 'web' })).rejects.toMatchObject({
      code: 'ERR_JWT_AUDIENCE',
    });
  });
});

describe('one-shot sign: a signer made once is never reused for other options or keys', () => {
  const key = generateKeyPair('ES256');
  const payloadOf = (jwt: string) => decode(jwt).payload as JwtPayload;
  const headerOf = (jwt: string) => decode(jwt).header;

  it("writes each call's claims and header", () => {
    for (let round = 0; round < 2; round++) {
      const a = sign({ n: 1 }, key.privateKey, {
        issuer: 'https://a.example',
        audience: ['x', 'api'],
        expiresIn: 60,
      });
      const b = sign({ n: 1 }, key.privateKey, {
        issuer: 'https://b.example',
        audience: ['x', 'web'],
        expiresIn: 120,
      });
      expect(payloadOf(a)).toMatchObject({ iss: 'https://a.example', aud: ['x', 'api'] });
      expect(payloadOf(b)).toMatchObject({ iss: 'https://b.example', aud: ['x', 'web'] });
      expect(payloadOf(b).exp! - payloadOf(b).iat!).toBe(120);
      expect(headerOf(sign({}, key.privateKey, { kid: 'k1', typ: null }))).toEqual({
        alg: 'ES256',
        kid: 'k1',
      });
      expect(headerOf(sign({}, key.privateKey, { kid: 'k2' }))).toEqual({
        alg: 'ES256',
        typ: 'JWT',
        kid: 'k2',
      });
      const header = { 'x-n': round };
      expect(headerOf(sign({}, key.privateKey, { header }))).toMatchObject({ 'x-n': round });
    }
  });

  it('signs with the key of each call and its algorithm', () => {
    const rsa = generateKeyPair('RS256');
    const ps = importKey(rsa.privateKey.keyObject, 'PS256');
    const other = generateKeyPair('ES256');
    const options = { issuer: 'https://a.example' };
    verify(sign({}, key.privateKey, { ...options }), key.publicKey, { algorithms: ['ES256'] });
    const second = sign({}, other.privateKey, { ...options });
    expectCode(() => verify(second, key.publicKey, { algorithms: ['ES256'] }), 'ERR_JWS_SIGNATURE');
    expect(headerOf(sign({}, rsa.privateKey, {})).alg).toBe('RS256');
    expect(headerOf(sign({}, ps, {})).alg).toBe('PS256');
    expect(headerOf(sign({}, rsa.privateKey, { alg: 'RS384' })).alg).toBe('RS384');
    expectCode(() => sign({}, rsa.privateKey, { alg: 'ES256' }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    expectCode(() => sign({}, key.publicKey, {}), 'ERR_OPTION_INVALID');
  });

  it('sees a change to a list or a Date it passed before, and checks every payload', () => {
    const audience = ['api'];
    const issuedAt = new Date(NOW * 1000);
    expect(payloadOf(sign({}, key.privateKey, { audience, issuedAt }))).toMatchObject({
      aud: ['api'],
      iat: NOW,
    });
    audience[0] = 'web';
    issuedAt.setTime((NOW + 5) * 1000);
    expect(payloadOf(sign({}, key.privateKey, { audience, issuedAt }))).toMatchObject({
      aud: ['web'],
      iat: NOW + 5,
    });
    expectCode(() => sign([] as never, key.privateKey, { audience, issuedAt }), 'ERR_OPTION_INVALID');
    for (let round = 0; round < 2; round++) {
      expectCode(() => sign({}, key.privateKey, { expiresIn: 'soon' }), 'ERR_OPTION_INVALID');
    }
  });

  it('gives what createSigner and createVerifier give', () => {
    const prebuilt = createVerifier({ key: key.publicKey, ...base, algorithms: ['ES256'] });
    const jwt = sign({ sub: 'u1' }, key.privateKey, { issuedAt: NOW, expiresIn: 60 });
    expect(verify(jwt, key.publicKey, { ...base, algorithms: ['ES256'] })).toEqual(prebuilt(jwt));
  });
});
