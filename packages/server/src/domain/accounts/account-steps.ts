/**
 * The accounts a route or a command may touch, as business steps: every change goes through
 * `changeUser` (sessions ended, tokens withdrawn, audited), every login through `passwordLogin`.
 * The raw setters of the user service (disable, set scopes, set a password) are not handed out, so
 * no caller can disable a user and forget to end their sessions.
 */
import type { User } from '../../store/types.js';
import type { DomainContext } from '../context.js';
import { endUserSessions } from '../tokens/withdraw.js';
import { changeUser, type UserChange, type UserChangeOutcome } from './change-user.js';
import { type PasswordLoginInput, type PasswordLoginOutcome, passwordLogin } from './password-login.js';
import { PROFILE_CLAIMS } from './profile.js';
import type { NewUser } from './users.js';

export interface AccountSteps {
  find(idOrName: { id: string } | { username: string }): Promise<User | undefined>;
  list(options?: { limit?: number; offset?: number }): Promise<User[]>;
  count(): Promise<number>;
  /**
   * Creates a user (validated name, password, scopes and profile claims) and audits
   * `admin.user.created`, naming the profile claims set but never their values.
   */
  create(input: NewUser, actor: string | null, details?: Record<string, unknown>): Promise<User>;
  /** See change-user.ts. */
  change(
    user: { id: string; scopes: readonly string[] },
    change: UserChange,
    actor: string | null,
  ): Promise<UserChangeOutcome>;
  /** See password-login.ts. */
  passwordLogin(input: PasswordLoginInput): Promise<PasswordLoginOutcome>;
  /**
   * Ends every session of the user and refuses every access token issued to them so far (also
   * tokens without a session); audited as a `revocation` of scope `user`. Answers the families.
   */
  endSessions(userId: string, actor: string | null): Promise<string[]>;
}

/**
 * @example const accounts = createAccountSteps(ctx); await accounts.change(user, { disabled: true }, 'cli');
 */
export function createAccountSteps(ctx: DomainContext): AccountSteps {
  const { users, store } = ctx;
  return Object.freeze({
    find: (idOrName) => users.find(idOrName),
    list: (options) => users.list(options),
    count: () => store.countUsers(),
    async create(input, actor, details = {}) {
      const user = await users.create(input);
      const claims = PROFILE_CLAIMS.filter((claim) => Object.hasOwn(user.profile, claim));
      await ctx.audit({
        type: 'admin.user.created',
        actor,
        subject: user.id,
        details: claims.length > 0 ? { ...details, claims } : details,
      });
      return user;
    },
    change: (user, change, actor) => changeUser(ctx, user, change, actor),
    passwordLogin: (input) => passwordLogin(ctx, input),
    async endSessions(userId, actor) {
      const revoked = await endUserSessions(ctx, userId, 'revoked by admin');
      await ctx.audit({
        type: 'revocation',
        actor,
        subject: userId,
        details: { sessions: revoked.length, scope: 'user' },
      });
      return revoked;
    },
  } satisfies AccountSteps);
}
