/**
 * Signing keys encrypted at rest, as a layer over a SQL store: private JWKs are encrypted on the
 * way in (insert, rotation) and decrypted on the way out (list), so the keyring above sees plain
 * JWK text and the database only ever holds ciphertext. Rewrapping re-encrypts rows made under a
 * previous master key (or stored in clear before encryption was turned on) under the current one.
 */
import type { Kysely } from 'kysely';
import { KeyringError } from '../keys/errors.js';
import type { KeyCipher } from '../keys/key-cipher.js';
import type { PostgresStore } from './postgres.js';
import type { Database } from './sql/schema.js';
import type { SigningKey, Store } from './types.js';

/** A cipher that can tell whether a stored text is already under its current key. */
export interface RewrappingCipher extends KeyCipher {
  isCurrent(stored: string): boolean;
}

interface RawAccess {
  db: Kysely<Database>;
  write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
}

/** A private JWK stored before encryption was turned on: JSON text, not a ciphertext. */
const isPlain = (stored: string) => stored.trimStart().startsWith('{');

/**
 * Wraps `store` so its signing keys are encrypted with `cipher`; without a cipher, keys pass as
 * they are (and `rewrapSigningKeys` does nothing).
 *
 * @example const store = withEncryptedKeys(kyselyStore, { db, write }, createMasterKeyCipher({ current }));
 */
export async function withEncryptedKeys(
  store: Store,
  raw: RawAccess,
  cipher: KeyCipher | RewrappingCipher | undefined,
  rewrapNow = true,
): Promise<PostgresStore> {
  if (!cipher) return Object.freeze({ ...store, rewrapSigningKeys: async () => 0 });
  const isCurrent = 'isCurrent' in cipher ? (s: string) => cipher.isCurrent(s) : () => false;
  const seal = async (key: SigningKey): Promise<SigningKey> => ({
    ...key,
    privateJwk: await cipher.encrypt(key.privateJwk),
  });
  const open = async (key: SigningKey): Promise<SigningKey> => {
    try {
      return { ...key, privateJwk: await cipher.decrypt(key.privateJwk) };
    } catch {
      // An unreadable key stays listed (its public half still verifies); its private half is
      // withheld, so signing with it fails with ERR_KEYRING_KEY_UNREADABLE in the keyring.
      return { ...key, privateJwk: '' };
    }
  };

  const rewrapSigningKeys = async (): Promise<number> => {
    const rows = await raw.db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute();
    let changed = 0;
    for (const row of rows) {
      if (isCurrent(row.private_jwk)) continue;
      let plain: string;
      try {
        plain = isPlain(row.private_jwk) ? row.private_jwk : await cipher.decrypt(row.private_jwk);
      } catch (error) {
        throw new KeyringError(
          'ERR_KEYRING_KEY_UNREADABLE',
          `signing key ${row.kid} cannot be decrypted with SESAME_MASTER_KEY or SESAME_MASTER_KEY_PREVIOUS`,
          { cause: error },
        );
      }
      const sealed = await cipher.encrypt(plain);
      // Compare-and-set on the old text: two workers rewrapping at once change each row once.
      const result = await raw.write((trx) =>
        trx
          .updateTable('signing_keys')
          .set({ private_jwk: sealed })
          .where('kid', '=', row.kid)
          .where('private_jwk', '=', row.private_jwk)
          .executeTakeFirst(),
      );
      changed += Number(result.numUpdatedRows);
    }
    return changed;
  };

  // At open: every stored key must be readable now, not at the next rotation months later.
  if (rewrapNow) await rewrapSigningKeys();
  return Object.freeze({
    ...store,
    insertSigningKey: async (key: SigningKey) => store.insertSigningKey(await seal(key)),
    rotateSigningKeys: async (input: Parameters<Store['rotateSigningKeys']>[0]) =>
      store.rotateSigningKeys({ ...input, newNext: await seal(input.newNext) }),
    listSigningKeys: async () => Promise.all((await store.listSigningKeys()).map(open)),
    rewrapSigningKeys,
  });
}
