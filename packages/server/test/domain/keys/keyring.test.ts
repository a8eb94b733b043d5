import { createLocalKeySet, sign, verify } from '@sesame/jwt';
import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyringError } from '../../../src/domain/keys/errors.js';
import { createKeyring, type KeyringOptions } from '../../../src/domain/keys/keyring.js';
import type { KeyCipher } from '../../../src/store/key-sealing.js';
import type { Store } from '../../../src/store/types.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

let store: Store;
let clock: ReturnType<typeof testClock>;
/** A keyring over the test's store and clock: ES256 alone unless `additionalAlgorithms` says more. */
const make = (options: Partial<KeyringOptions> = {}) =>
  createKeyring({
    store,
    now: clock.now,
    maxTokenLifetimeMs: 15 * MINUTE,
    clockToleranceMs: MINUTE,
    ...options,
  });
beforeEach(async () => {
  store = await openTempStore();
  clock = testClock();
});
afterEach(() => store.close());

describe('keyring', () => {
  const states = async () => Object.fromEntries((await store.listSigningKeys()).map((k) => [k.kid, k.state]));
  const signAt = (key: ReturnType<Awaited<ReturnType<typeof make>>['signingKey']>) =>
    sign({ sub: 'u1' }, key, { expiresIn: '15m', currentDate: () => new Date(clock.now()) });

  it('creates a current and a next ES256 key on first start and publishes both, public parts only', async () => {
    const keyring = await make();
    const keys = await store.listSigningKeys();
    expect(keys.map((k) => k.state).sort()).toEqual(['current', 'next']);
    const current = keys.find((k) => k.state === 'current')!;
    expect(keyring.signingKey().kid).toBe(current.kid);
    expect(keyring.signingKey().alg).toBe('ES256');
    const jwks = keyring.jwks();
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(keys.map((k) => k.kid).sort());
    for (const jwk of jwks.keys) {
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(jwk.d).toBeUndefined();
    }
    expect(keyring.list().every((k) => !('privateJwk' in k))).toBe(true);
    // A restart loads the same keys instead of making new ones.
    const again = await make();
    expect(again.signingKey().kid).toBe(current.kid);
    expect(await store.listSigningKeys()).toHaveLength(2);
  });

  it('rotates one step: next signs, the old current stays published as retired', async () => {
    const keyring = await make();
    const before = await states();
    const oldCurrent = keyring.signingKey().kid!;
    const oldNext = Object.keys(before).find((kid) => before[kid] === 'next')!;
    const token = signAt(keyring.signingKey());
    expect(await keyring.rotate()).toBe(true);
    const after = await states();
    expect(after[oldCurrent]).toBe('retired');
    expect(after[oldNext]).toBe('current');
    expect(Object.values(after).sort()).toEqual(['current', 'next', 'retired']);
    expect(keyring.signingKey().kid).toBe(oldNext);
    expect(
      keyring
        .jwks()
        .keys.map((k) => k.kid)
        .sort(),
    ).toEqual(Object.keys(after).sort());
    // A token signed before the rotation verifies with the JWKS published after it.
    const { payload } = verify(token, createLocalKeySet(keyring.jwks()), {
      algorithms: ['ES256'],
      currentDate: () => new Date(clock.now()),
    });
    expect(payload.sub).toBe('u1');
    const retired = (await store.listSigningKeys()).find((k) => k.kid === oldCurrent)!;
    expect(retired.expiresAt).toBe(clock.now() + 16 * MINUTE);
  });

  it('unpublishes a retired key once every token it signed has expired, then deletes it', async () => {
    const keyring = await make();
    const retiredKid = keyring.signingKey().kid!;
    await keyring.rotate();
    clock.advance(16 * MINUTE - 1);
    await keyring.reload();
    expect(keyring.jwks().keys.map((k) => k.kid)).toContain(retiredKid);
    clock.advance(1);
    await keyring.reload();
    expect(keyring.jwks().keys.map((k) => k.kid)).not.toContain(retiredKid);
    expect(keyring.jwks().keys).toHaveLength(2);
    await keyring.maybeRotate();
    expect((await store.listSigningKeys()).map((k) => k.kid)).not.toContain(retiredKid);
  });

  it('rotates automatically only once the period has passed', async () => {
    const keyring = await make({ rotationPeriodMs: 30 * DAY });
    const first = keyring.signingKey().kid;
    expect(await keyring.maybeRotate(clock.now() + 30 * DAY - 1)).toBe(false);
    expect(keyring.signingKey().kid).toBe(first);
    clock.advance(30 * DAY);
    expect(await keyring.maybeRotate()).toBe(true);
    expect(keyring.signingKey().kid).not.toBe(first);
    expect(await keyring.maybeRotate()).toBe(false);
    const manual = await make({ rotationPeriodMs: 0 });
    clock.advance(365 * DAY);
    expect(await manual.maybeRotate()).toBe(false);
  });

  it('lets one of two racing instances rotate; both then agree', async () => {
    const a = await make();
    const b = await make();
    const results = await Promise.all([a.rotate(), b.rotate()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(a.signingKey().kid).toBe(b.signingKey().kid);
    expect(Object.values(await states()).sort()).toEqual(['current', 'next', 'retired']);
  });

  it('two instances starting on an empty store make one current key between them', async () => {
    const [a, b] = await Promise.all([make(), make()]);
    expect(a.signingKey().kid).toBe(b.signingKey().kid);
    expect(Object.values(await states()).sort()).toEqual(['current', 'next']);
  });

  it("picks up another process's rotation after the reload interval, or at once on an unknown kid", async () => {
    const a = await make({ reloadIntervalMs: 30_000 });
    const b = await make();
    await b.rotate();
    const newKid = b.signingKey().kid;
    expect(a.signingKey().kid).not.toBe(newKid); // still the loaded state
    clock.advance(30_000);
    a.signingKey(); // notices the state is old and reloads in the background
    await vi.waitFor(() => expect(a.signingKey().kid).toBe(newKid));

    // The next key was published before it signed: a verifies b's new tokens with no reload at all.
    await b.rotate();
    const early = signAt(b.signingKey());
    expect(
      verify(early, a.keySet(), { algorithms: ['ES256'], currentDate: () => new Date(clock.now()) }),
    ).toBeTruthy();
    // A key a has never seen (two steps at once elsewhere) makes it reload.
    await b.rotate();
    const token = signAt(b.signingKey());
    clock.advance(2000);
    const verifyWithA = () =>
      verify(token, a.keySet(), { algorithms: ['ES256'], currentDate: () => new Date(clock.now()) });
    expect(() => verifyWithA()).toThrow(expect.objectContaining({ code: 'ERR_JWKS_NO_MATCH' }));
    await vi.waitFor(() => expect(verifyWithA().payload.sub).toBe('u1'));
  });

  it.each([
    ['RS256', { kty: 'RSA', alg: 'RS256' }],
    ['EdDSA', { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' }],
  ] as const)('makes %s keys', async (algorithm, shape) => {
    const keyring = await make({ algorithm });
    expect(keyring.jwks().keys[0]).toMatchObject(shape);
    const token = signAt(keyring.signingKey());
    const currentDate = () => new Date(clock.now());
    expect(verify(token, keyring.keySet(), { algorithms: [algorithm], currentDate }).payload.sub).toBe('u1');
  });

  it('revokes the current key at once: unpublished, not verifying, the next key signs, a new next is made', async () => {
    const keyring = await make();
    const old = keyring.signingKey();
    const token = signAt(old);
    const next = keyring.jwks().keys.find((k) => k.kid !== old.kid)!.kid;
    const check = () =>
      verify(token, keyring.keySet(), { algorithms: ['ES256'], currentDate: () => new Date(clock.now()) });
    expect(check().payload.sub).toBe('u1');
    expect(await keyring.revoke(old.kid!)).toBe('current');
    expect(keyring.jwks().keys.map((k) => k.kid)).not.toContain(old.kid);
    expect(() => keyring.keySet().select({ alg: 'ES256', kid: old.kid })).toThrow();
    expect(check).toThrow();
    expect(keyring.signingKey().kid).toBe(next);
    const after = await states();
    expect(after[old.kid!]).toBe('revoked');
    expect(Object.values(after).sort()).toEqual(['current', 'next', 'revoked']);
    expect(await keyring.revoke(old.kid!)).toBe('revoked'); // again: nothing more happens
    expect(Object.keys(await states())).toHaveLength(3);
  });

  it('drops a key another process revoked from the JWKS as soon as fresh() reads the store', async () => {
    const serving = await make();
    const other = await make();
    const kid = serving.signingKey().kid!;
    await other.revoke(kid);
    expect(serving.jwks().keys.map((k) => k.kid)).toContain(kid); // its loaded state, not yet read again
    await serving.fresh(0);
    expect(serving.jwks().keys.map((k) => k.kid)).not.toContain(kid);
    expect(serving.signingKey().kid).toBe(other.signingKey().kid);
  });

  it('revokes the next key without retiring the current one; refuses an unknown kid', async () => {
    const keyring = await make();
    const current = keyring.signingKey().kid!;
    const next = keyring.jwks().keys.find((k) => k.kid !== current)!.kid!;
    expect(await keyring.revoke(next)).toBe('next');
    expect(keyring.signingKey().kid).toBe(current);
    const after = await states();
    expect(after[current]).toBe('current');
    expect(after[next]).toBe('revoked');
    expect(Object.values(after).filter((state) => state === 'next')).toHaveLength(1);
    expect(keyring.jwks().keys.map((k) => k.kid)).not.toContain(next);
    const refused = await keyring.revoke('no-such-kid').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KeyringError);
    expect((refused as KeyringError).code).toBe('ERR_KEYRING_KEY_NOT_FOUND');
  });

  it('signs HS256 with a fixed shared secret in HMAC mode: nothing stored, nothing published', async () => {
    const secret = 'a shared secret of at least thirty-two bytes!';
    const keyring = await make({ hmac: { secret } });
    expect(keyring.signingKey().alg).toBe('HS256');
    expect(keyring.jwks()).toEqual({ keys: [] });
    expect(await store.listSigningKeys()).toEqual([]);
    expect(await keyring.rotate()).toBe(false);
    const token = sign({ sub: 'u1' }, keyring.signingKey());
    expect(verify(token, keyring.keySet(), { algorithms: ['HS256'] }).payload.sub).toBe('u1');
    const error = await make({ hmac: { secret: 'short' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe('ERR_KEYRING_OPTION_INVALID');
    expect((error as Error).message).not.toContain('short');
  });

  it('refuses a symmetric or unknown algorithm for stored keys', async () => {
    const error = await make({ algorithm: 'HS256' as 'ES256' }).catch((e: unknown) => e);
    expect((error as KeyringError).code).toBe('ERR_KEYRING_OPTION_INVALID');
  });

  it('passes private keys through the key cipher, and refuses to start with the wrong one', async () => {
    const wrap = (tag: string): KeyCipher => ({
      name: tag,
      encrypt: (plain) => `${tag}:${Buffer.from(plain).toString('base64')}`,
      decrypt: (stored) => {
        if (!stored.startsWith(`${tag}:`)) throw new Error('not mine');
        return Buffer.from(stored.slice(tag.length + 1), 'base64').toString();
      },
    });
    const keyring = await make({ keyCipher: wrap('v1') });
    for (const record of await store.listSigningKeys()) {
      expect(record.privateJwk.startsWith('v1:')).toBe(true);
      expect(record.privateJwk).not.toContain('"d"');
    }
    expect(keyring.signingKey().type).toBe('private');
    const error = await make({ keyCipher: wrap('v2') }).catch((e: unknown) => e);
    expect((error as KeyringError).code).toBe('ERR_KEYRING_KEY_UNREADABLE');
  });
});

describe('keyring: a current key per algorithm', () => {
  const both = (options: Partial<KeyringOptions> = {}) =>
    make({ additionalAlgorithms: ['RS256'], ...options });
  const byAlg = async () => {
    const out: Record<string, string[]> = {};
    for (const k of await store.listSigningKeys()) out[k.alg] = [...(out[k.alg] ?? []), k.state];
    for (const states of Object.values(out)) states.sort();
    return out;
  };
  const verifyAt = (token: string, keyring: Awaited<ReturnType<typeof make>>, alg: 'ES256' | 'RS256') =>
    verify(token, keyring.keySet(), { algorithms: [alg], currentDate: () => new Date(clock.now()) });

  it('keeps a current and a next key of each algorithm, all published with alg and use: sig', async () => {
    const keyring = await both();
    expect(keyring.algorithms).toEqual(['ES256', 'RS256']);
    expect(await byAlg()).toEqual({ ES256: ['current', 'next'], RS256: ['current', 'next'] });
    expect(keyring.signingKey().alg).toBe('ES256');
    const rs = keyring.signingKey('RS256');
    expect(rs.alg).toBe('RS256');
    expect(rs.type).toBe('private');
    const jwks = keyring.jwks().keys;
    expect(jwks).toHaveLength(4);
    for (const jwk of jwks) {
      expect(jwk.use).toBe('sig');
      expect(jwk.d).toBeUndefined();
    }
    const rsa = jwks.filter((jwk) => jwk.alg === 'RS256');
    expect(rsa.map((jwk) => jwk.kty)).toEqual(['RSA', 'RSA']);
    // 2048-bit moduli (generate.ts says why): 256 bytes.
    for (const jwk of rsa) expect(Buffer.from(String(jwk.n), 'base64url')).toHaveLength(256);
    const token = sign({ sub: 'u1' }, rs, { expiresIn: '15m', currentDate: () => new Date(clock.now()) });
    expect(verifyAt(token, keyring, 'RS256').payload.sub).toBe('u1');
    // A restart loads the same keys.
    expect((await both()).signingKey('RS256').kid).toBe(rs.kid);
    expect(await store.listSigningKeys()).toHaveLength(4);
  });

  it('refuses an algorithm it does not sign with', async () => {
    const keyring = await both();
    const error = (() => {
      try {
        keyring.signingKey('PS256');
      } catch (e) {
        return e;
      }
    })();
    expect((error as KeyringError).code).toBe('ERR_KEYRING_NO_CURRENT');
    const single = await make();
    expect(single.algorithms).toEqual(['ES256']);
    expect(() => single.signingKey('RS256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEYRING_NO_CURRENT' }),
    );
    const unknown = await both({ additionalAlgorithms: ['HS256' as 'RS256'] }).catch((e: unknown) => e);
    expect((unknown as KeyringError).code).toBe('ERR_KEYRING_OPTION_INVALID');
  });

  it('adds RS256 keys to a data dir made with ES256 only, keeping its keys', async () => {
    const before = await make();
    const es = before.signingKey().kid;
    expect(await byAlg()).toEqual({ ES256: ['current', 'next'] });
    const after = await both();
    expect(after.signingKey().kid).toBe(es);
    expect(after.signingKey('RS256').alg).toBe('RS256');
    expect(await byAlg()).toEqual({ ES256: ['current', 'next'], RS256: ['current', 'next'] });
  });

  it('rotates every algorithm at once when asked; tokens of each retired key still verify', async () => {
    const keyring = await both();
    const tokens = (['ES256', 'RS256'] as const).map((alg) => {
      const key = keyring.signingKey(alg);
      return {
        alg,
        kid: key.kid,
        token: sign({ sub: alg }, key, { currentDate: () => new Date(clock.now()) }),
      };
    });
    expect(await keyring.rotate()).toBe(true);
    expect(await byAlg()).toEqual({
      ES256: ['current', 'next', 'retired'],
      RS256: ['current', 'next', 'retired'],
    });
    for (const { alg, kid, token } of tokens) {
      expect(keyring.signingKey(alg).kid).not.toBe(kid);
      expect(verifyAt(token, keyring, alg).payload.sub).toBe(alg);
    }
  });

  it('rotates each algorithm on its own clock, on the same period', async () => {
    await make({ rotationPeriodMs: 30 * DAY }); // a data dir of ES256 keys only
    clock.advance(20 * DAY);
    const keyring = await both({ rotationPeriodMs: 30 * DAY }); // RS256 keys made 20 days later
    const es = keyring.signingKey().kid;
    const rs = keyring.signingKey('RS256').kid;
    clock.advance(10 * DAY);
    expect(await keyring.maybeRotate()).toBe(true);
    expect(keyring.signingKey().kid).not.toBe(es);
    expect(keyring.signingKey('RS256').kid).toBe(rs);
    clock.advance(20 * DAY - 1);
    expect(await keyring.maybeRotate()).toBe(false);
    expect(keyring.signingKey('RS256').kid).toBe(rs);
    clock.advance(1);
    expect(await keyring.maybeRotate()).toBe(true);
    expect(keyring.signingKey('RS256').kid).not.toBe(rs);
  });

  it('revokes an RS256 key without touching the ES256 ones', async () => {
    const keyring = await both();
    const es = keyring.signingKey().kid;
    const rs = keyring.signingKey('RS256').kid!;
    expect(await keyring.revoke(rs)).toBe('current');
    expect(keyring.signingKey().kid).toBe(es);
    expect(keyring.signingKey('RS256').kid).not.toBe(rs);
    expect(await byAlg()).toEqual({ ES256: ['current', 'next'], RS256: ['current', 'next', 'revoked'] });
  });

  it('switches the access tokens to a newly configured algorithm; the old keys retire at the next rotation', async () => {
    const old = await both();
    const esKid = old.signingKey().kid;
    const token = sign({ sub: 'before' }, old.signingKey(), { currentDate: () => new Date(clock.now()) });
    const keyring = await both({ algorithm: 'EdDSA' });
    expect(keyring.algorithms).toEqual(['EdDSA', 'RS256']);
    expect(keyring.signingKey().alg).toBe('EdDSA');
    expect(() => keyring.signingKey('ES256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEYRING_NO_CURRENT' }),
    );
    // Still published: tokens it signed verify until the rotation, and after it until they expire.
    expect(verifyAt(token, keyring, 'ES256').payload.sub).toBe('before');
    await keyring.rotate();
    const states = await byAlg();
    expect(states.ES256).toEqual(['retired', 'retired']);
    expect(states.EdDSA).toEqual(['current', 'next', 'retired']);
    expect(verifyAt(token, keyring, 'ES256').payload.sub).toBe('before');
    clock.advance(16 * MINUTE);
    await keyring.maybeRotate();
    expect(keyring.jwks().keys.map((k) => k.kid)).not.toContain(esKid);
    expect((await byAlg()).ES256).toBeUndefined();
  });

  it('two instances starting on an empty store make one key of each state and algorithm', async () => {
    const [a, b] = await Promise.all([both(), both()]);
    expect(a.signingKey('RS256').kid).toBe(b.signingKey('RS256').kid);
    expect(a.signingKey().kid).toBe(b.signingKey().kid);
    expect(await byAlg()).toEqual({ ES256: ['current', 'next'], RS256: ['current', 'next'] });
  });

  it('encrypts the RS256 private keys at rest like the others', async () => {
    const cipher: KeyCipher = {
      name: 'test',
      encrypt: (plain) => `sealed:${Buffer.from(plain).toString('base64')}`,
      decrypt: (stored) => Buffer.from(stored.slice('sealed:'.length), 'base64').toString(),
    };
    const keyring = await both({ keyCipher: cipher });
    const rsa = (await store.listSigningKeys()).filter((k) => k.alg === 'RS256');
    expect(rsa).toHaveLength(2);
    for (const record of rsa) {
      expect(record.privateJwk.startsWith('sealed:')).toBe(true);
      expect(record.privateJwk).not.toContain('"d"');
    }
    expect(keyring.signingKey('RS256').type).toBe('private');
  });
});
