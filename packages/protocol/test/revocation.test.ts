import type { FeedHealth, GuardError } from '@sesame/guard';
import type { JwtPayload } from '@sesame/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRevocation, encodeRevocation, type RevocableClaims, RevocationList } from '../src/index.js';
import { guardToken, injectFetch, type Server, startGuard, startServer } from './agreement/entry-points.js';
import { NOW_MS, NOW_S, type RevocationRow, revocationTable } from './tables/revocation.js';

/**
 * THE revocation match rule, one table through three entry points: the protocol (wire encoding,
 * then RevocationList), the server's denylist (what its bearer routes and introspection ask), and
 * a guard following the server's feed. All rows share one server and one guard: each row's values
 * carry a prefix of their own so that rows cannot match each other's entries.
 */
const prefixed = (row: RevocationRow, i: number) => {
  const p = (value: unknown) => (typeof value === 'string' ? `r${i}-${value}` : value);
  const claims: RevocableClaims = {};
  for (const [name, value] of Object.entries(row.claims))
    (claims as Record<string, unknown>)[name] = name === 'iat' ? value : p(value);
  return {
    stored: row.stored.map((entry) => ({ ...entry, value: `r${i}-${entry.value}` })),
    claims,
    kid: row.kid === undefined ? undefined : `r${i}-${row.kid}`,
  };
};
const rows = revocationTable.map((row, i) => [row.name, row, prefixed(row, i)] as const);

describe('the revocation rule, through the protocol (wire encoding, then RevocationList)', () => {
  it.each(rows)('%s', (_name, row) => {
    const list = new RevocationList();
    row.stored.forEach((stored, i) => {
      // The server stores revocations in ms; the wire and the list use NumericDates.
      const wire = JSON.parse(JSON.stringify(encodeRevocation({ ...stored, seq: i + 1, createdAt: NOW_MS })));
      const entry = decodeRevocation(wire);
      expect(entry).toBeDefined();
      list.add(entry!, NOW_MS / 1000);
    });
    expect(list.revokedBy(row.claims, row.kid)).toBe(row.revokedBy);
  });
});

describe('the revocation rule, through the server (its denylist) and a guard (following its feed)', () => {
  // A little after the revocations, so that tokens from the next second are not from the future.
  const now = () => NOW_MS + 5_000;
  let server: Server;
  let guard: ReturnType<typeof startGuard>;
  beforeAll(async () => {
    server = await startServer(now);
    for (const [, , { stored }] of rows) {
      for (const entry of stored)
        await server.store.addRevocation({
          ...entry,
          issuedBefore: entry.issuedBefore ?? null,
          createdAt: NOW_MS,
        });
    }
    let synced!: () => void;
    const ready = new Promise<void>((resolve) => {
      synced = resolve;
    });
    guard = startGuard({
      now,
      fetch: injectFetch(server.app, { stream: false }),
      revocation: {
        clientId: server.feedClient.id,
        clientSecret: server.feedClient.secret,
        onHealth: (health: FeedHealth) => {
          if (health.state === 'polling' && health.lastSyncAt !== undefined) synced();
        },
      },
    });
    await ready;
  });
  afterAll(async () => {
    guard?.close();
    await server?.close();
  });

  it.each(rows)('server: %s', async (_name, row, { claims, kid }) => {
    expect(await server.app.sesame.revocations.isRevoked({ ...claims, kid })).toBe(
      row.revokedBy !== undefined,
    );
  });

  // A signed token carries claims of JWT types only: the rows whose claims @sesame/jwt refuses
  // before any revocation check (a string iat, an array jti) are the protocol's and the server's.
  const signable = rows.filter(
    ([, row]) => typeof row.claims.jti !== 'object' && typeof row.claims.iat !== 'string',
  );
  it.each(signable)('guard: %s', async (_name, row, { claims, kid }) => {
    const token = guardToken(claims as JwtPayload, { kid, nowS: NOW_S });
    const refusal = await guard.authenticate(`Bearer ${token}`).then(
      () => undefined,
      (error: GuardError) => error.reason,
    );
    expect(refusal).toBe(row.revokedBy === undefined ? undefined : 'token_revoked');
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

  it('makes iat < issued_before hold exactly when iat * 1000 <= the cut-off in ms', () => {
    for (const cut of [100_000, 100_500, 100_999]) {
      const entry = encodeRevocation({
        seq: 1,
        kind: 'user',
        value: 'u',
        issuedBefore: cut,
        expiresAt: 900_001,
        createdAt: 0,
      });
      for (const iat of [99, 100, 101]) expect(iat < entry.issued_before!).toBe(iat * 1000 <= cut);
      expect(entry.expires_at).toBe(901);
    }
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
