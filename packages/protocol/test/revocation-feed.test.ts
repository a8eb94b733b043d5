import { describe, expect, it } from 'vitest';
import { decodeRevocation, encodeRevocation, RevocationList } from '../src/index.js';
import { NOW_MS, NOW_S, revocationTable } from './tables/revocation.js';

describe('the revocation rule, through the protocol (wire encoding, then RevocationList)', () => {
  it.each(revocationTable.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const list = new RevocationList();
    row.stored.forEach((stored, i) => {
      const wire = JSON.parse(JSON.stringify(encodeRevocation({ ...stored, seq: i + 1, createdAt: NOW_MS })));
      const entry = decodeRevocation(wire);
      expect(entry).toBeDefined();
      list.add(entry!, NOW_MS / 1000);
    });
    expect(list.revokedBy(row.claims, row.kid)).toBe(row.revokedBy);
  });
});

describe('the feed wire format', () => {
  it('encodes a cut-off in ms as the next whole second, and expiry rounded up', () => {
    const base = { seq: 7, value: 'u1', createdAt: NOW_MS };
    expect(encodeRevocation({ ...base, kind: 'user', issuedBefore: NOW_MS, expiresAt: NOW_MS + 1 })).toEqual({
      seq: 7,
      kind: 'user',
      value: 'u1',
      issued_before: NOW_S + 1,
      expires_at: NOW_S + 1,
    });
    // A cut-off on an exact second still covers that second.
    const exact = NOW_S * 1000;
    expect(
      encodeRevocation({ ...base, kind: 'client', issuedBefore: exact, expiresAt: exact }).issued_before,
    ).toBe(NOW_S + 1);
    // No issuedBefore stored: the moment of the revocation.
    expect(
      encodeRevocation({ ...base, kind: 'user', issuedBefore: null, expiresAt: NOW_MS }).issued_before,
    ).toBe(NOW_S + 1);
    expect(encodeRevocation({ ...base, kind: 'jti', issuedBefore: null, expiresAt: NOW_MS })).toEqual({
      seq: 7,
      kind: 'jti',
      value: 'u1',
      expires_at: NOW_S + 1,
    });
  });

  it('decodes entries, dropping unknown members', () => {
    expect(decodeRevocation({ seq: 3, kind: 'kid', value: 'k', expires_at: 9, extra: 1 })).toEqual({
      seq: 3,
      kind: 'kid',
      value: 'k',
      expires_at: 9,
    });
    expect(decodeRevocation({ seq: 4, kind: 'client', value: 'c', issued_before: 5, expires_at: 9 })).toEqual(
      {
        seq: 4,
        kind: 'client',
        value: 'c',
        issued_before: 5,
        expires_at: 9,
      },
    );
  });

  it.each([
    ['not an object', 'x'],
    ['null', null],
    ['a negative seq', { seq: -1, kind: 'jti', value: 'a', expires_at: 9 }],
    ['a fractional seq', { seq: 1.5, kind: 'jti', value: 'a', expires_at: 9 }],
    ['an unknown kind', { seq: 1, kind: 'email', value: 'a', expires_at: 9 }],
    ['an empty value', { seq: 1, kind: 'jti', value: '', expires_at: 9 }],
    ['a value of 1025 characters', { seq: 1, kind: 'jti', value: 'a'.repeat(1025), expires_at: 9 }],
    ['no expires_at', { seq: 1, kind: 'jti', value: 'a' }],
    ['an infinite expires_at', { seq: 1, kind: 'jti', value: 'a', expires_at: Number.POSITIVE_INFINITY }],
    ['a user entry without issued_before', { seq: 1, kind: 'user', value: 'u', expires_at: 9 }],
    [
      'a client entry with a string issued_before',
      { seq: 1, kind: 'client', value: 'c', issued_before: '5', expires_at: 9 },
    ],
  ])('refuses %s', (_name, value) => {
    expect(decodeRevocation(value)).toBeUndefined();
  });
});

describe('RevocationList upkeep', () => {
  it('drops entries at purge once every token they cover has expired, and not before', () => {
    const list = new RevocationList();
    list.add({ seq: 1, kind: 'jti', value: 'j', expires_at: 100 }, 50);
    list.add({ seq: 2, kind: 'user', value: 'u', issued_before: 40, expires_at: 200 }, 50);
    list.add({ seq: 3, kind: 'sid', value: 's', expires_at: 50 }, 50); // already expired: not held
    expect(list.size).toBe(2);
    expect(list.purge(99)).toBe(0);
    expect(list.revokedBy({ jti: 'j' })).toBe('jti');
    expect(list.purge(100)).toBe(1);
    expect(list.revokedBy({ jti: 'j' })).toBeUndefined();
    expect(list.revokedBy({ sub: 'u', iat: 39 })).toBe('user');
    list.clear();
    expect(list.size).toBe(0);
    expect(list.revokedBy({ sub: 'u', iat: 39 })).toBeUndefined();
  });

  it('keeps the latest user cut-off until the last of its entries expires', () => {
    const now = 1_000_000;
    const list = new RevocationList();
    list.add({ seq: 1, kind: 'user', value: 'u', issued_before: now - 50, expires_at: now + 20 }, now);
    list.add({ seq: 2, kind: 'user', value: 'u', issued_before: now - 100, expires_at: now + 10 }, now);
    expect(list.revokedBy({ sub: 'u', iat: now - 60 })).toBe('user');
    expect(list.revokedBy({ sub: 'u', iat: now - 50 })).toBeUndefined();
    expect(list.purge(now + 10)).toBe(0);
    expect(list.revokedBy({ sub: 'u', iat: now - 60 })).toBe('user');
    expect(list.purge(now + 20)).toBe(1);
    expect(list.size).toBe(0);
  });

  it('holds 100,000 entries and finds the last one', () => {
    const list = new RevocationList();
    for (let i = 0; i < 100_000; i++)
      list.add({ seq: i, kind: 'jti', value: `jti-${i}`, expires_at: 2e9 }, 0);
    expect(list.size).toBe(100_000);
    expect(list.revokedBy({ jti: 'jti-99999' })).toBe('jti');
    expect(list.revokedBy({ jti: 'jti-100000' })).toBeUndefined();
  });
});
