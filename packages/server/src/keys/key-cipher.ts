/**
 * The seam for encrypting private keys at rest. The embedded (SQLite) store keeps them in a 0600
 * file and uses the identity cipher; PostgreSQL mode (issue 5) must supply a real one keyed by
 * SESAME_MASTER_KEY and refuse to start without it. The cipher sees the private JWK as JSON text
 * and returns what the store keeps in `SigningKey.privateJwk`.
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
