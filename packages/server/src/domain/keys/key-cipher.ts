/**
 * The cipher that leaves private keys as they are. The seam itself (KeyCipher) is the store's
 * contract, store/key-sealing.ts; the master-key cipher is master-key-cipher.ts.
 */
import type { KeyCipher } from '../../store/key-sealing.js';

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
