import { createLocalKeySet, sign, verify } from '@sesame/jwt';
import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyringError } from '../../../src/domain/keys/errors.js';
import { createKeyring, type KeyringOptions } from '../../../src/domain/keys/keyring.js';
import type { KeyCipher } from '../../../src/store/key-sealing.js';
import type { Store } from '../../../src/store/types.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('keyring', () => {
  let store: Store;
  let clock: ReturnType<typeof testClock>;
  const make = (options: Partial<KeyringOptions> = {}) =>
    createKeyring({
      store,
      now: clock.now,
      maxTokenLifetimeMs: 15 * MINUTE,
      clockToleranceMs: MINUTE,
      ...options,
    });
  const states = async () => Object.fromEntries((await store.listSigningKeys()).map((k) => [k.kid, k.state]));
  const signAt = (key: ReturnType<Awaited<ReturnType<typeof make>>['signingKey']>) =>
    sign({ sub: 'u1' }, key, { expiresIn: '15m', currentDate: () => new Date(clock.now()) });

  beforeEach(async () => {
    store = await openTempStore();
    clock = testClock();
  });
  afterEach(() => store.close());

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
