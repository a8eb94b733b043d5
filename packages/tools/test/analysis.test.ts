import { describe, expect, it } from 'vitest';
import { claimRows, isoDate, relativeTime, tokenWarnings, weakSecretReason } from '../src/analysis.js';
import { isListed } from '../src/weak-secrets.js';

const NOW = 1_750_000_000;
const codes = (header: object, payload: object) =>
  tokenWarnings(header as Record<string, unknown>, payload as Record<string, unknown>, NOW).map(
    (w) => w.code,
  );

describe('relativeTime and isoDate', () => {
  it('shows the two largest units, in the future and in the past', () => {
    expect(relativeTime(NOW + 6 * 86_400 + 23 * 3600 + 59, NOW)).toBe('in 6 d 23 h');
    expect(relativeTime(NOW - 180, NOW)).toBe('3 min ago');
    expect(relativeTime(NOW + 90, NOW)).toBe('in 1 min 30 s');
    expect(relativeTime(NOW + 7 * 86_400, NOW)).toBe('in 7 d');
    expect(relativeTime(NOW, NOW)).toBe('now');
    expect(isoDate(NOW)).toBe('2025-06-15T15:06:40Z');
    expect(isoDate(1e20)).toBe('invalid date');
  });
});

describe('tokenWarnings', () => {
  const good = { alg: 'ES256' };
  const fresh = { iat: NOW, exp: NOW + 900 };

  it('finds nothing in a short-lived, signed token', () => {
    expect(codes(good, fresh)).toEqual([]);
  });
  it('warns about alg none in any case, and about algorithms Sesame does not know', () => {
    expect(codes({ alg: 'none' }, fresh)).toEqual(['alg-none']);
    expect(codes({ alg: 'NoNe' }, fresh)).toEqual(['alg-none']);
    expect(codes({ alg: 'HS1' }, fresh)).toEqual(['unknown-alg']);
    expect(codes({}, fresh)).toEqual(['unknown-alg']);
  });
  it('warns about a missing exp, a lifetime over a day, expiry and nbf in the future', () => {
    expect(codes(good, { iat: NOW })).toEqual(['no-exp']);
    expect(codes(good, { iat: NOW, exp: NOW + 86_401 })).toEqual(['long-lifetime']);
    expect(codes(good, { iat: NOW, exp: NOW + 86_400 })).toEqual([]);
    expect(codes(good, { exp: NOW + 2 * 86_400 })).toEqual(['long-lifetime']); // no iat: from now
    expect(codes(good, { exp: NOW })).toEqual(['expired']);
    expect(codes(good, { exp: NOW + 1 })).toEqual([]);
    expect(codes(good, { ...fresh, nbf: NOW + 60 })).toEqual(['not-yet-valid']);
    expect(codes(good, { ...fresh, nbf: NOW })).toEqual([]);
  });
  it('warns about crit, which Sesame never understands', () => {
    expect(codes({ ...good, crit: ['exp'] }, fresh)).toEqual(['unknown-crit']);
  });
});

describe('claimRows', () => {
  it('explains registered claims and shows NumericDates as dates, other claims as they are', () => {
    const rows = claimRows({ sub: 'u1', exp: NOW + 60, custom: 'x', iat: 'not a number' }, NOW);
    expect(rows[0]).toMatchObject({ name: 'sub', meaning: expect.stringMatching(/RFC 7519 §4.1.2/) });
    expect(rows[1]!.time).toEqual({ iso: isoDate(NOW + 60), relative: 'in 1 min' });
    expect(rows[2]).toMatchObject({ meaning: undefined, time: undefined });
    expect(rows[3]!.time).toBeUndefined();
  });
});

describe('weak secrets', () => {
  it('flags short secrets, few distinct characters and common words, never quoting the secret', () => {
    expect(weakSecretReason('secret', 'HS256')).toMatch(/shorter than the hash \(6 of 32 bytes\)/);
    expect(weakSecretReason('v9N3xQ7pL2mR8sT4wY6zB1cD5fG0hJ3k', 'HS384')).toMatch(/32 of 48/);
    expect(weakSecretReason('a'.repeat(40), 'HS256')).toMatch(/distinct/);
    expect(weakSecretReason('my-very-own-jwt-SECRET-for-production-2024', 'HS256')).toMatch(/common word/);
    expect(weakSecretReason('v9N3xQ7pL2mR8sT4wY6zB1cD5fG0hJ3kXa', 'HS256')).toBeUndefined();
  });
  it('reads a CRLF list whose first line is the empty secret', () => {
    const list = '\r\nchangeme\r\nhunter2\r\n';
    expect(isListed(list, '')).toBe(true);
    expect(isListed(list, 'hunter2')).toBe(true);
    expect(isListed(list, 'hunter2\r')).toBe(false);
    expect(isListed(list, 'hunter3')).toBe(false);
  });
});
