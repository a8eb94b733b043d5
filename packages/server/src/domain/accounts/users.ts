/**
 * User accounts: creation with validated names, authentication that never throws for bad
 * credentials and takes the same time for unknown users, re-hashing on login when the Argon2id
 * parameters changed, disabling, password changes, profile claims, listing.
 */
import { randomUUID } from 'node:crypto';
import { isScopeToken } from '@sesame/protocol';
import { isStoreError } from '../../store/errors.js';
import type { Store, User } from '../../store/types.js';
import { AccountError } from './errors.js';
import { createPasswordHasher, type PasswordHasher } from './passwords.js';
import {
  applyProfileChange,
  type ProfileChange,
  type ProfileClaim,
  type ProfileInput,
  validateProfileChange,
} from './profile.js';

export interface UserServiceOptions {
  store: Store;
  /** Default: OWASP Argon2id. */
  passwords?: PasswordHasher;
  now?: () => number;
  /** Shortest password accepted when one is set (default 8); the longest is always 1024. */
  minPasswordLength?: number;
}

/** Why an authentication failed; for the audit trail only — a client sees one `invalid_grant`. */
export type AuthenticationResult =
  | { ok: true; user: User; rehashed: boolean }
  | { ok: false; reason: 'invalid_credentials' | 'disabled'; userId: string | null };

export interface NewUser {
  username: string;
  password: string;
  scopes?: string[];
  /** Initial profile claims, checked here (profile.ts); `null` values are ignored. */
  profile?: ProfileInput;
}

export interface UserService {
  create(input: NewUser): Promise<User>;
  authenticate(username: string, password: string): Promise<AuthenticationResult>;
  setPassword(id: string, password: string): Promise<void>;
  setDisabled(id: string, disabled: boolean): Promise<void>;
  setScopes(id: string, scopes: string[]): Promise<void>;
  /** Applies a validated profile change; answers the claims whose value changed. */
  changeProfile(id: string, change: ProfileChange): Promise<ProfileClaim[]>;
  find(idOrName: { id: string } | { username: string }): Promise<User | undefined>;
  list(options?: { limit?: number; offset?: number }): Promise<User[]>;
}

const MAX_PASSWORD = 1024;
const MAX_USERNAME = 64;
// C0/C1 controls and the Unicode line and paragraph separators: invisible, and they break logs.
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/**
 * Checks a username: 1–64 characters (code points), no control characters, no leading or trailing
 * white space. Throws ERR_USERNAME_INVALID.
 *
 * @example validateUsername('alice'); // ok
 */
export function validateUsername(username: unknown): asserts username is string {
  if (typeof username !== 'string')
    throw new AccountError('ERR_USERNAME_INVALID', 'the username must be text');
  const length = [...username].length;
  if (length < 1 || length > MAX_USERNAME) {
    throw new AccountError('ERR_USERNAME_INVALID', `the username must be 1 to ${MAX_USERNAME} characters`);
  }
  if (CONTROL.test(username))
    throw new AccountError('ERR_USERNAME_INVALID', 'the username has control characters');
  if (username.trim() !== username) {
    throw new AccountError('ERR_USERNAME_INVALID', 'the username starts or ends with white space');
  }
}

/**
 * The user service over a store.
 *
 * @example
 * const users = createUserService({ store });
 * const alice = await users.create({ username: 'alice', password: 'correct horse', scopes: ['openid'] });
 * const result = await users.authenticate('ALICE', 'correct horse'); // { ok: true, user: alice, ... }
 */
export function createUserService(options: UserServiceOptions): UserService {
  const { store } = options;
  const passwords = options.passwords ?? createPasswordHasher();
  const now = options.now ?? Date.now;
  const minPassword = options.minPasswordLength ?? 8;
  // The profile's updated_at is in seconds, like every OpenID Connect time claim.
  const seconds = () => Math.floor(now() / 1000);

  const checkPassword = (password: unknown): string => {
    if (typeof password !== 'string' || password.length < minPassword || password.length > MAX_PASSWORD) {
      throw new AccountError(
        'ERR_PASSWORD_INVALID',
        `the password must be ${minPassword} to ${MAX_PASSWORD} characters`,
      );
    }
    return password;
  };
  const checkScopes = (scopes: string[]): string[] => {
    if (!Array.isArray(scopes) || !scopes.every(isScopeToken)) {
      throw new AccountError(
        'ERR_SCOPE_INVALID',
        'a scope must be a non-empty token without spaces or quotes',
      );
    }
    return [...new Set(scopes)];
  };
  const update = async (id: string, changes: Parameters<Store['updateUser']>[1]) => {
    if (!(await store.updateUser(id, changes))) throw new AccountError('ERR_USER_NOT_FOUND', 'no such user');
  };

  const service: UserService = {
    async create({ username, password, scopes = [], profile }) {
      validateUsername(username);
      const initial =
        profile === undefined
          ? {}
          : applyProfileChange({}, validateProfileChange(profile), seconds()).profile;
      const user: User = {
        id: randomUUID(),
        username,
        passwordHash: await passwords.hash(checkPassword(password)),
        scopes: checkScopes(scopes),
        disabled: false,
        profile: initial,
        createdAt: now(),
        updatedAt: now(),
      };
      try {
        await store.createUser(user);
      } catch (error) {
        if (isStoreError(error, 'ERR_STORE_DUPLICATE')) {
          throw new AccountError('ERR_USERNAME_TAKEN', 'the username is taken');
        }
        throw error;
      }
      return user;
    },

    async authenticate(username, password) {
      const fail = (reason: 'invalid_credentials' | 'disabled', userId: string | null) =>
        ({ ok: false, reason, userId }) as const;
      // Oversized or non-text input is answered like any wrong password, after the same work.
      const usable =
        typeof username === 'string' && typeof password === 'string' && password.length <= MAX_PASSWORD;
      const user =
        usable && username.length <= 4 * MAX_USERNAME ? await store.findUserByName(username) : undefined;
      if (!user || !usable) {
        await passwords.verifyDummy(usable ? password : '');
        return fail('invalid_credentials', null);
      }
      if (!(await passwords.verify(user.passwordHash, password))) return fail('invalid_credentials', user.id);
      if (user.disabled) return fail('disabled', user.id);
      let rehashed = false;
      if (passwords.needsRehash(user.passwordHash)) {
        // The password is known right now, and only now: upgrade the stored hash to today's cost.
        const passwordHash = await passwords.hash(password);
        rehashed = await store.updateUser(user.id, { passwordHash, updatedAt: now() });
        if (rehashed) return { ok: true, user: { ...user, passwordHash, updatedAt: now() }, rehashed };
      }
      return { ok: true, user, rehashed };
    },

    async setPassword(id, password) {
      await update(id, { passwordHash: await passwords.hash(checkPassword(password)), updatedAt: now() });
    },
    setDisabled: (id, disabled) => update(id, { disabled, updatedAt: now() }),
    setScopes: (id, scopes) => update(id, { scopes: checkScopes(scopes), updatedAt: now() }),
    async changeProfile(id, change) {
      const user = await store.findUserById(id);
      if (user === undefined) throw new AccountError('ERR_USER_NOT_FOUND', 'no such user');
      const { profile, changed } = applyProfileChange(user.profile, change, seconds());
      if (changed.length > 0) await update(id, { profile, updatedAt: now() });
      return changed;
    },
    find: (key) => ('id' in key ? store.findUserById(key.id) : store.findUserByName(key.username)),
    list: (listOptions) => store.listUsers(listOptions),
  };
  return Object.freeze(service);
}
