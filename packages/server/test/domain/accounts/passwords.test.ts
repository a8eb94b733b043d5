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
    expect(await passwords.verifyDummy('anything')).toBe(false); // the first call also makes the dummy
    const stored = await passwords.hash('pw');
    const time = async (fn: () => Promise<unknown>) => {
      const started = performance.now();
      for (let i = 0; i < 3; i++) await fn();
      return performance.now() - started;
    };
    const dummy = await time(() => passwords.verifyDummy('anything'));
    const real = await time(() => passwords.verify(stored, 'wrong'));
    // Same parameters, same work: within a generous factor on a busy CI machine.
    expect(dummy).toBeGreaterThan(real / 4);
    expect(dummy).toBeLessThan(real * 4);
  });

  it('hashes off the event loop: timers keep firing while it works', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([passwords.hash('a'), passwords.hash('b')]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
