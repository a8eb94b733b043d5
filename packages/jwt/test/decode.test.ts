import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TOKEN_SIZE, decode, generateSecret, sign } from '../src/index.js';
import { b64, expectCode, hmacToken, NOW } from './helpers.js';

const key = generateSecret('HS256');

describe('decode', () => {
  it('returns header, payload and signature without verifying anything', () => {
    const token = sign({ sub: 'u1' }, key, { expiresIn: 10, issuedAt: NOW - 1000, kid: 'k' });
    const { header, payload, signature } = decode(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k' });
    expect(payload).toEqual({ sub: 'u1', iat: NOW - 1000, exp: NOW - 990 });
    expect(signature).toBe(token.split('.')[2]);
    // A wrong signature and an unknown algorithm do not matter to decode.
    const forged = hmacToken({ alg: 'XS999' }, { sub: 'admin' }, randomBytes(32));
    expect(decode(forged).payload.sub).toBe('admin');
    expect(decode(`${forged.split('.').slice(0, 2).join('.')}.`).signature).toBe('');
  });

  it('shows headers a verifier would refuse (crit, b64)', () => {
    const crit = hmacToken({ alg: 'HS256', crit: ['x'], x: 1 }, {}, randomBytes(32));
    expect(decode(crit).header).toEqual({ alg: 'HS256', crit: ['x'], x: 1 });
    const unencoded = hmacToken({ alg: 'HS256', b64: false, crit: ['b64'] }, {}, randomBytes(32));
    expect(decode(unencoded).header.b64).toBe(false);
  });

  it('refuses what is not a compact JWS', () => {
    const token = sign({}, key);
    for (const bad of ['', 'a', 'a.b', `${token}.x`, token.replace('.', '')]) {
      expectCode(() => decode(bad), 'ERR_JWS_INVALID');
    }
    expectCode(() => decode(42 as never), 'ERR_JWS_INVALID');
  });

  it('refuses a malformed header', () => {
    const p = b64('{}');
    for (const h of [
      b64('[]'),
      b64('{"alg":"HS256","alg":"x"}'),
      b64('{"typ":"JWT"}'),
      `${b64('{"alg":"HS256"}')}=`,
      b64('nope'),
    ]) {
      expectCode(() => decode(`${h}.${p}.`), 'ERR_JWS_INVALID');
    }
    // Even when a verifier would refuse it as unsupported, a malformed header stays malformed.
    expectCode(() => decode(`${b64('{"alg":"HS256","b64":false,"b64":false}')}.${p}.`), 'ERR_JWS_INVALID');
  });

  it('refuses a payload that is not a strict JSON object', () => {
    const h = b64('{"alg":"HS256"}');
    expect(decode(`${h}.${b64('{"a":1}')}.`).payload).toEqual({ a: 1 });
    for (const text of ['[]', '"x"', '1', 'null', '{"a":1,"a":2}']) {
      expectCode(() => decode(`${h}.${b64(text)}.`), 'ERR_JWT_INVALID');
    }
    expectCode(() => decode(`${h}.${b64(Buffer.from([0x7b, 0xff, 0x7d]))}.`), 'ERR_JWT_INVALID');
    expectCode(() => decode(`${h}.${b64('{}')}=.`), 'ERR_JWS_INVALID');
  });

  it('applies the size limit first', () => {
    expectCode(() => decode('*'.repeat(DEFAULT_MAX_TOKEN_SIZE + 1)), 'ERR_JWT_TOO_LARGE');
    const token = sign({ sub: 'u1' }, key);
    expect(decode(token, { maxTokenSize: token.length }).payload.sub).toBe('u1');
    expectCode(() => decode(token, { maxTokenSize: token.length - 1 }), 'ERR_JWT_TOO_LARGE');
  });
});
