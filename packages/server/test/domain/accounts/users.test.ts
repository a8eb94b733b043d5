import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountError } from '../../../src/domain/accounts/errors.js';
import { createPasswordHasher, type PasswordHasher } from '../../../src/domain/accounts/passwords.js';
import { createUserService, type UserService, validateUsername } from '../../../src/domain/accounts/users.js';
import type { Store } from '../../../src/store/types.js';

// Cheap parameters keep the suite fast; the OWASP ones are tested in passwords.test.ts.
const cheap = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/** A hasher that counts Argon2 verifications, to see that unknown users cost one too. */
function counting(inner: PasswordHasher) {
  const counts = { verify: 0, dummy: 0 };
  const hasher: PasswordHasher = {
    ...inner,
    verify(h, p) {
      counts.verify++;
      return inner.verify(h, p);
    },
    verifyDummy(p) {
      counts.dummy++;
      return inner.verifyDummy(p);
    },
  };
  return { hasher, counts };
}

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof AccountError ? error.code : String(error)),
  );

describe('users', () => {
  let store: Store;
  let users: UserService;
  let counts: { verify: number; dummy: number };
  const clock = testClock();

  beforeEach(async () => {
    store = await openTempStore();
    const spy = counting(createPasswordHasher(cheap));
    counts = spy.counts;
    users = createUserService({ store, passwords: spy.hasher, now: clock.now });
  });
  afterEach(() => store.close());

  it('creates a user with a random id, a hashed password and scopes', async () => {
    const alice = await users.create({
      username: 'Alice',
      password: 'correct horse',
      scopes: ['openid', 'openid', 'quiz'],
    });
    expect(alice.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(alice.passwordHash).toMatch(/^\$argon2id\$/);
    expect(alice.passwordHash).not.toContain('correct horse');
    expect(alice.scopes).toEqual(['openid', 'quiz']);
    expect(await users.find({ username: 'alice' })).toEqual(alice);
    clock.advance(1);
    const bob = await users.create({ username: 'bob', password: 'correct horse' });
    expect(bob.id).not.toBe(alice.id);
    expect((await users.list()).map((u) => u.username)).toEqual(['Alice', 'bob']);
  });

  it('refuses a taken username, case-insensitively', async () => {
    await users.create({ username: 'Alice', password: 'correct horse' });
    expect(await codeOf(users.create({ username: 'aLICE', password: 'correct horse' }))).toBe(
      'ERR_USERNAME_TAKEN',
    );
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(65), 'too long'],
    ['bad\nname', 'newline'],
    ['nul\u0000', 'NUL'],
    ['del\u007f', 'DEL'],
    ['sep\u2028', 'line separator'],
    [' alice', 'leading space'],
  ])('refuses the username %j (%s)', async (username) => {
    expect(await codeOf(users.create({ username, password: 'correct horse' }))).toBe('ERR_USERNAME_INVALID');
  });

  it('accepts 64 characters counted as code points, and non-Latin names', () => {
    expect(() => validateUsername('😀'.repeat(64))).not.toThrow();
    expect(() => validateUsername('李雷')).not.toThrow();
    expect(() => validateUsername(42)).toThrow(AccountError);
  });

  it('refuses passwords that are too short or too long, and bad scopes', async () => {
    expect(await codeOf(users.create({ username: 'a', password: 'short' }))).toBe('ERR_PASSWORD_INVALID');
    expect(await codeOf(users.create({ username: 'a', password: 'x'.repeat(1025) }))).toBe(
      'ERR_PASSWORD_INVALID',
    );
    expect(
      await codeOf(users.create({ username: 'a', password: 'long enough', scopes: ['has space'] })),
    ).toBe('ERR_SCOPE_INVALID');
  });

  it('authenticates with the right password, by any case of the name', async () => {
    const alice = await users.create({ username: 'Alice', password: 'correct horse' });
    const result = await users.authenticate('ALICE', 'correct horse');
    expect(result).toEqual({ ok: true, user: alice, rehashed: false });
  });

  it('answers the same failure for a wrong password and an unknown user, each after one Argon2 run', async () => {
    const alice = await users.create({ username: 'alice', password: 'correct horse' });
    counts.verify = 0;
    expect(await users.authenticate('alice', 'wrong horse')).toEqual({
      ok: false,
      reason: 'invalid_credentials',
      userId: alice.id,
    });
    expect(counts).toEqual({ verify: 1, dummy: 0 });
    expect(await users.authenticate('nobody', 'wrong horse')).toEqual({
      ok: false,
      reason: 'invalid_credentials',
      userId: null,
    });
    expect(counts).toEqual({ verify: 1, dummy: 1 });
    // Absurd input is a failure too, never an exception.
    expect((await users.authenticate('x'.repeat(10_000), 'pw')).ok).toBe(false);
    expect((await users.authenticate('alice', 'x'.repeat(10_000))).ok).toBe(false);
    expect((await users.authenticate(undefined as unknown as string, 'pw')).ok).toBe(false);
  });

  it('refuses a disabled user, and accepts it again once enabled', async () => {
    const alice = await users.create({ username: 'alice', password: 'correct horse' });
    await users.setDisabled(alice.id, true);
    expect(await users.authenticate('alice', 'correct horse')).toEqual({
      ok: false,
      reason: 'disabled',
      userId: alice.id,
    });
    await users.setDisabled(alice.id, false);
    expect((await users.authenticate('alice', 'correct horse')).ok).toBe(true);
  });

  it('sets a new password; the old one stops working', async () => {
    const alice = await users.create({ username: 'alice', password: 'correct horse' });
    await users.setPassword(alice.id, 'battery staple');
    expect((await users.authenticate('alice', 'correct horse')).ok).toBe(false);
    expect((await users.authenticate('alice', 'battery staple')).ok).toBe(true);
    expect(await codeOf(users.setPassword(alice.id, 'short'))).toBe('ERR_PASSWORD_INVALID');
  });

  it('answers ERR_USER_NOT_FOUND for changes to an unknown user', async () => {
    expect(await codeOf(users.setPassword('nobody', 'battery staple'))).toBe('ERR_USER_NOT_FOUND');
    expect(await codeOf(users.setDisabled('nobody', true))).toBe('ERR_USER_NOT_FOUND');
    expect(await codeOf(users.setScopes('nobody', []))).toBe('ERR_USER_NOT_FOUND');
  });

  it('re-hashes on login when the parameters changed', async () => {
    const alice = await users.create({ username: 'alice', password: 'correct horse' });
    const stronger = createPasswordHasher({ ...cheap, timeCost: 2 });
    const upgraded = createUserService({ store, passwords: stronger, now: clock.now });
    const result = await upgraded.authenticate('alice', 'correct horse');
    expect(result.ok && result.rehashed).toBe(true);
    const stored = (await store.findUserById(alice.id))!.passwordHash;
    expect(stored).toMatch(/\$m=1024,t=2,p=1\$/);
    expect(stronger.needsRehash(stored)).toBe(false);
    const again = await upgraded.authenticate('alice', 'correct horse');
    expect(again.ok && again.rehashed).toBe(false);
    // A failed login never touches the hash.
    await users.authenticate('alice', 'wrong horse');
    expect((await store.findUserById(alice.id))!.passwordHash).toBe(stored);
  });
});
