import { hash as realHash, verify as realVerify } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, OWASP_ARGON2ID } from '../../../src/domain/accounts/passwords.js';

describe('passwords (Argon2id)', () => {
  const passwords = createPasswordHasher();

  it('hashes with OWASP parameters into a PHC string with a random salt', async () => {
    const a = await passwords.hash('correct horse');
    const b = await passwords.hash('correct horse');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(OWASP_ARGON2ID).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await passwords.hash('correct horse');
    expect(await passwords.verify(stored, 'correct horse')).toBe(true);
    expect(await passwords.verify(stored, 'correct horsE')).toBe(false);
    expect(await passwords.verify(stored, '')).toBe(false);
  });

  it('answers false, never throws, for a malformed stored hash', async () => {
    expect(await passwords.verify('not a hash', 'x')).toBe(false);
    expect(await passwords.verify('', 'x')).toBe(false);
    expect(passwords.needsRehash('not a hash')).toBe(true);
  });

  it('needs a rehash exactly when the parameters differ', async () => {
    const weak = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const old = await weak.hash('pw');
    expect(passwords.needsRehash(old)).toBe(true);
    expect(weak.needsRehash(old)).toBe(false);
    expect(passwords.needsRehash(await passwords.hash('pw'))).toBe(false);
    const argon2i =
      '$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    expect(passwords.needsRehash(argon2i)).toBe(true);
  });

  it('verifyDummy does the work of a verification and answers false', async () => {
    // The real Argon2, recorded: what verifyDummy asks of it is what a real login asks.
    const verified: Array<[string, string]> = [];
    const recorded = createPasswordHasher(OWASP_ARGON2ID, {
      hash: realHash,
      verify: (stored, password) => {
        verified.push([stored, password]);
        return realVerify(stored, password);
      },
    });
    expect(await recorded.verifyDummy('anything')).toBe(false);
    expect(await recorded.verifyDummy('something else')).toBe(false);
    expect(verified.map(([, password]) => password)).toEqual(['anything', 'something else']);
    // One Argon2id verification each, against a hash of the live parameters (the same cost as a
    // user's), made once.
    const [[first], [second]] = verified as [[string, string], [string, string]];
    expect(first).toBe(second);
    expect(recorded.needsRehash(first)).toBe(false);
    // And it cannot fail open: the right dummy password is still answered false.
    const weaker = createPasswordHasher(
      { memoryCost: 8192, timeCost: 1, parallelism: 1 },
      {
        hash: realHash,
        verify: async () => true,
      },
    );
    expect(await weaker.verifyDummy('x')).toBe(false);
  });

  it('hashes off the event loop: timers keep firing while it works', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([passwords.hash('a'), passwords.hash('b')]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
