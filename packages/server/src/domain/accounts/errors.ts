/**
 * Errors of account management (create, set password, profile claims), with stable codes. Authentication never
 * throws for bad credentials: it answers a result object (users.ts).
 */
export type AccountErrorCode =
  | 'ERR_USERNAME_INVALID'
  | 'ERR_USERNAME_TAKEN'
  | 'ERR_PASSWORD_INVALID'
  | 'ERR_SCOPE_INVALID'
  | 'ERR_PROFILE_INVALID'
  | 'ERR_USER_NOT_FOUND';

/**
 * @example
 * try { await users.create({ username: 'alice', password }); }
 * catch (error) { if (error instanceof AccountError && error.code === 'ERR_USERNAME_TAKEN') ... }
 */
export class AccountError extends Error {
  readonly code: AccountErrorCode;

  constructor(code: AccountErrorCode, message: string) {
    super(message);
    this.name = 'AccountError';
    this.code = code;
  }
}
