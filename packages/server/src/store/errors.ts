/**
 * Errors of the store layer, with stable codes so callers and tests match on `code`, never on a
 * message. Messages name the table or the kind of conflict, never a value (a username is personal
 * data, a hash is still a secret's fingerprint).
 */
export type StoreErrorCode =
  /** A unique value is taken: a username (case-insensitively), a client id, a kid, a token hash. */
  | 'ERR_STORE_DUPLICATE'
  /** The database could not be opened, migrated or reached. */
  | 'ERR_STORE_UNAVAILABLE'
  /** Stored data is not what this version expects (e.g. a newer schema than the code knows). */
  | 'ERR_STORE_SCHEMA';

/**
 * The one error class of the store.
 *
 * @example
 * try { await store.createUser(user); }
 * catch (error) { if (isStoreError(error, 'ERR_STORE_DUPLICATE')) reply409(); else throw error; }
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/**
 * True when `error` is a StoreError (with the given code, when one is given).
 *
 * @example if (isStoreError(error, 'ERR_STORE_DUPLICATE')) ...
 */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

/**
 * @internal True for a unique-constraint violation, in SQLite (better-sqlite3's `code`) or
 * PostgreSQL (SQLSTATE 23505), so the shared queries can translate it without knowing the driver.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
