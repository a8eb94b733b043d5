/**
 * The seam for encrypting private keys at rest. The stores encrypt with the master-key cipher
 * (master-key-cipher.ts, store/encrypted-keys.ts): always in PostgreSQL, in SQLite when
 * SESAME_MASTER_KEY is set; without it the SQLite file (0600) holds them in clear. The cipher sees
 * the private JWK as JSON text and returns what the store keeps in `SigningKey.privateJwk`.
 */
export interface KeyCipher {
  /** A name recorded nowhere secret, for diagnostics ("identity", "aes-256-gcm:v1", …). */
  readonly name: string;
  encrypt(plaintext: string): string | Promise<string>;
  /** Throws when the text was not made by this cipher (or with another key). */
  decrypt(stored: string): string | Promise<string>;
}

/**
 * Stores private JWKs as they are: right for the owner-only SQLite file, wrong for a shared database.
 *
 * @example createKeyring({ store, keyCipher: identityKeyCipher })
 */
export const identityKeyCipher: KeyCipher = Object.freeze({
  name: 'identity',
  encrypt: (plaintext: string) => plaintext,
  decrypt: (stored: string) => stored,
});
