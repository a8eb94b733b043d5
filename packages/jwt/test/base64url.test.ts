import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode, isBase64url } from '../src/index.js';
import { expectCode, nonCanonical } from './helpers.js';

describe('base64urlEncode', () => {
  it('encodes strings as UTF-8 and bytes as they are, without padding', () => {
    expect(base64urlEncode('{"alg":"HS256"}')).toBe('eyJhbGciOiJIUzI1NiJ9');
    expect(base64urlEncode(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(base64urlEncode('é')).toBe('w6k');
    expect(base64urlEncode('')).toBe('');
  });

  it('round-trips every length from 0 to 64 bytes', () => {
    for (let length = 0; length <= 64; length++) {
      const bytes = randomBytes(length);
      const text = base64urlEncode(bytes);
      expect(isBase64url(text)).toBe(true);
      expect(base64urlDecode(text).equals(bytes)).toBe(true);
    }
  });
});

describe('strict base64url decoding', () => {
  it('accepts canonical unpadded base64url', () => {
    for (const text of ['', 'AA', 'AAA', 'AAAA', 'AQAB', '-_8', 'w6k', 'eyJhbGciOiJIUzI1NiJ9']) {
      expect(isBase64url(text)).toBe(true);
      expect(() => base64urlDecode(text)).not.toThrow();
    }
    expect(base64urlDecode('AQAB')).toEqual(Buffer.from([1, 0, 1]));
  });

  const refused: [string, string][] = [
    ['padding', 'AA=='],
    ['a single padding character', 'AAA='],
    ['padding only', '===='],
    ['a space', 'AA AA'],
    ['a newline', 'AAAA\nAAAA'],
    ['a tab', '\tAAAA'],
    ['a trailing space', 'AAAA '],
    ['"+" from the standard alphabet', 'A+AA'],
    ['"/" from the standard alphabet', 'A/AA'],
    ['a character outside the alphabet', 'AA*A'],
    ['a dot', 'AA.A'],
    ['a non-ASCII letter', 'AAéA'],
    ['a NUL character', 'AA\u0000A'],
    ['length % 4 == 1', 'A'],
    ['length % 4 == 1 (longer)', 'AAAAA'],
    ['non-canonical trailing bits, one byte ("AB" for "AA")', 'AB'],
    ['non-canonical trailing bits, one byte ("AP")', 'AP'],
    ['non-canonical trailing bits, two bytes ("AAB" for "AAA")', 'AAB'],
    ['non-canonical trailing bits, two bytes ("AAD")', 'AAD'],
  ];
  for (const [what, text] of refused) {
    it(`refuses ${what}`, () => {
      expect(isBase64url(text)).toBe(false);
      expectCode(() => base64urlDecode(text), 'ERR_JWS_INVALID');
    });
  }

  it('refuses exactly the non-canonical spelling of bytes node would decode leniently', () => {
    for (const bytes of [[0], [0xff], [1, 2], [0xfe, 0xdc]]) {
      const canonical = base64urlEncode(Buffer.from(bytes));
      const sloppy = nonCanonical(canonical);
      expect(Buffer.from(sloppy, 'base64url')).toEqual(Buffer.from(bytes));
      expect(base64urlDecode(canonical)).toEqual(Buffer.from(bytes));
      expectCode(() => base64urlDecode(sloppy), 'ERR_JWS_INVALID');
    }
  });

  it('refuses values that are not strings', () => {
    expectCode(() => base64urlDecode(123 as never), 'ERR_JWS_INVALID');
    expectCode(() => base64urlDecode(undefined as never), 'ERR_JWS_INVALID');
  });
});
