/** Errors of the keyring, with stable codes. Messages never carry key material. */
export type KeyringErrorCode =
  /** The options are wrong (unknown algorithm, HMAC secret too short, …). */
  | 'ERR_KEYRING_OPTION_INVALID'
  /** A stored private key could not be decrypted or imported (wrong master key?). */
  | 'ERR_KEYRING_KEY_UNREADABLE'
  /** The store has no current key (used before `init`, or someone deleted it). */
  | 'ERR_KEYRING_NO_CURRENT'
  /** No signing key has this kid (or the keyring has no stored keys: the classic profile). */
  | 'ERR_KEYRING_KEY_NOT_FOUND';

/**
 * @example if (error instanceof KeyringError && error.code === 'ERR_KEYRING_KEY_UNREADABLE') exit('check SESAME_MASTER_KEY');
 */
export class KeyringError extends Error {
  readonly code: KeyringErrorCode;
  constructor(code: KeyringErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyringError';
    this.code = code;
  }
}
