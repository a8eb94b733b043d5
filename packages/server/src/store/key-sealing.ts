/**
 * The contract for sealing secrets at rest (private signing JWKs, the server's HMAC secrets): the
 * cipher a store is given, the form of what it seals, and the error raised when a sealed key cannot
 * be read. It lives on the store's side because the store encrypts and decrypts
 * (store/encrypted-keys.ts) while the keyring above only passes a cipher along and meets the same
 * error: the store imports nothing of the domain, the domain imports this.
 * The master-key cipher (domain/keys/master-key-cipher.ts) implements KeyCipher; without
 * SESAME_MASTER_KEY the SQLite file (0600) holds the keys in clear.
 */

/**
 * The seam for encrypting private keys at rest. The cipher sees the private JWK as JSON text and
 * returns what the store keeps in `SigningKey.privateJwk`.
 *
 * @example const store = await openPostgresStore({ url, keyCipher: createMasterKeyCipher({ current }) });
 */
export interface KeyCipher {
  /** A name recorded nowhere secret, for diagnostics ("identity", "aes-256-gcm:v1", …). */
  readonly name: string;
  encrypt(plaintext: string): string | Promise<string>;
  /** Throws when the text was not made by this cipher (or with another key). */
  decrypt(stored: string): string | Promise<string>;
}

/** The first part of every sealed text: `mk1.<key id>.<iv>.<ciphertext + tag>`. */
export const SEALED_VERSION = 'mk1';

/**
 * True when `stored` has the form of a master-key ciphertext (under any master key). A value in
 * clear never has it: private JWKs are JSON, settings are base64url or ISO dates, none has a dot
 * after "mk1". Lets a store opened without a master key see that it needs one.
 *
 * @example isSealed('mk1.0123456789abcdef.iv.body') // true
 */
export const isSealed = (stored: string): boolean => stored.startsWith(`${SEALED_VERSION}.`);

/** The codes of KeyringError. */
export type KeyringErrorCode =
  /** The options are wrong (unknown algorithm, HMAC secret too short, …). */
  | 'ERR_KEYRING_OPTION_INVALID'
  /** A stored private key or secret could not be decrypted or imported (wrong master key?). */
  | 'ERR_KEYRING_KEY_UNREADABLE'
  /** The store has no current key (used before `init`, or someone deleted it). */
  | 'ERR_KEYRING_NO_CURRENT'
  /** No signing key has this kid (or the keyring has no stored keys: the classic profile). */
  | 'ERR_KEYRING_KEY_NOT_FOUND';

/**
 * Errors of signing keys, with stable codes; messages never carry key material. One class for the
 * keyring (domain/keys/errors.ts re-exports it) and the store's encryption layer, so an unreadable
 * key is ERR_KEYRING_KEY_UNREADABLE, printed the same by the CLI, whichever layer found it.
 *
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
