/**
 * Password hashing with Argon2id at the OWASP Password Storage Cheat Sheet's first recommended
 * setting (m=19456 KiB, t=2, p=1). @node-rs/argon2's async API computes on the libuv thread pool,
 * so a login never blocks the event loop. Verification never throws: a malformed stored hash is
 * simply "no match".
 */
import { randomBytes } from 'node:crypto';
import { hash, type Options, parseOptions, verify } from '@node-rs/argon2';

/** Argon2id cost parameters (memory in KiB). */
export interface PasswordParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's Argon2id parameters: 19 MiB of memory, 2 passes, 1 lane. */
export const OWASP_ARGON2ID: Readonly<PasswordParams> = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

// `Algorithm` is an ambient const enum, which isolatedModules cannot inline: 2 is Argon2id.
const ARGON2ID = 2 as NonNullable<Options['algorithm']>;
// Version 0x13, the current one (the const enum's V0x13 = 1).
const V0X13 = 1 as NonNullable<Options['version']>;

export interface PasswordHasher {
  /** The parameters new hashes are made with. */
  readonly params: Readonly<PasswordParams>;
  /** An Argon2id PHC string for the password (random 16-byte salt). */
  hash(password: string): Promise<string>;
  /** True when the password matches the stored hash; false otherwise, malformed hash included. */
  verify(storedHash: string, password: string): Promise<boolean>;
  /**
   * Spends the same time as a real verification and answers false: what a login does for an
   * unknown user, so "no such user" and "wrong password" cannot be told apart by timing.
   */
  verifyDummy(password: string): Promise<false>;
  /** True when the hash was made with other parameters (or is not Argon2id): re-hash on login. */
  needsRehash(storedHash: string): boolean;
}

/**
 * A password hasher with the given parameters (OWASP's by default).
 *
 * @example
 * const passwords = createPasswordHasher();
 * const stored = await passwords.hash('correct horse');
 * await passwords.verify(stored, 'correct horse'); // true
 * passwords.needsRehash(stored); // false
 */
/** The Argon2 primitives the hasher calls: @node-rs/argon2's, or a recording wrapper in a test. */
export interface Argon2 {
  hash(password: string, options: Options): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

export function createPasswordHasher(
  params: PasswordParams = OWASP_ARGON2ID,
  argon2: Argon2 = { hash, verify },
): PasswordHasher {
  const frozen = Object.freeze({ ...params });
  const options: Options = { ...frozen, algorithm: ARGON2ID, version: V0X13 };
  let dummy: Promise<string> | undefined;

  const check = async (storedHash: string, password: string): Promise<boolean> => {
    try {
      return await argon2.verify(storedHash, password);
    } catch {
      return false; // not a PHC string we can read: no match, and nothing echoed
    }
  };

  return Object.freeze({
    params: frozen,
    hash: (password: string) => argon2.hash(password, options),
    verify: check,
    async verifyDummy(password: string): Promise<false> {
      // Made once, with the live parameters, from a password nobody knows.
      dummy ??= argon2.hash(randomBytes(32).toString('base64url'), options);
      await check(await dummy, password);
      return false;
    },
    needsRehash(storedHash: string): boolean {
      try {
        const parsed = parseOptions(storedHash);
        return (
          parsed.algorithm !== ARGON2ID ||
          parsed.version !== V0X13 ||
          parsed.memoryCost !== frozen.memoryCost ||
          parsed.timeCost !== frozen.timeCost ||
          parsed.parallelism !== frozen.parallelism
        );
      } catch {
        return true;
      }
    },
  });
}
