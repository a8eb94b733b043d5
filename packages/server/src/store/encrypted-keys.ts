/**
 * Secrets encrypted at rest, as a layer over a SQL store (SQLite or PostgreSQL): private signing
 * JWKs and the settings (the server's HMAC secrets: refresh-token successors, browser sessions)
 * are encrypted on the way in and decrypted on the way out, so the layers above see clear text and
 * the database file (its copies, its backups) only ever holds ciphertext. Rewrapping re-encrypts
 * rows made under a previous master key, or stored in clear before encryption was turned on,
 * under the current one: done on open, so a clear store is upgraded at the first start with a key.
 * Without a cipher, a store holding ciphertext is refused at open: it would otherwise run with the
 * ciphertext as its HMAC secret.
 */
import type { Kysely } from 'kysely';
import { isSealed, type KeyCipher, KeyringError } from './key-sealing.js';
import type { Database } from './sql/schema.js';
import type { SigningKey, Store } from './types.js';

/** A cipher that can tell whether a stored text is already under its current key. */
export interface RewrappingCipher extends KeyCipher {
  isCurrent(stored: string): boolean;
}

/** A store whose secrets may be encrypted, plus re-encryption under the current master key. */
export interface EncryptedStore extends Store {
  /**
   * Re-encrypts every signing key and setting not under the current master key; returns how many
   * rows changed (0 without a master key).
   */
  rewrapSigningKeys(): Promise<number>;
}

interface RawAccess {
  db: Kysely<Database>;
  write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
}

/** The one line of a store that holds ciphertext opened without a master key. */
const NEEDS_MASTER_KEY =
  "this store's signing keys and secrets are encrypted: set SESAME_MASTER_KEY (and SESAME_MASTER_KEY_PREVIOUS while rotating) to the key they were encrypted with";

function needsMasterKey(): KeyringError {
  return new KeyringError('ERR_KEYRING_KEY_UNREADABLE', NEEDS_MASTER_KEY);
}

/** Reads the rows whose text is a secret: signing keys and settings, each with a way to update it. */
async function secretRows(db: Kysely<Database>) {
  const keys = await db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute();
  const settings = await db.selectFrom('settings').select(['name', 'value']).execute();
  return [
    ...keys.map((row) => ({
      what: `signing key ${row.kid}`,
      text: row.private_jwk,
      // A private JWK in clear is JSON text; anything else came from a cipher.
      clear: row.private_jwk.trimStart().startsWith('{'),
      replace: (trx: Kysely<Database>, text: string) =>
        trx
          .updateTable('signing_keys')
          .set({ private_jwk: text })
          .where('kid', '=', row.kid)
          .where('private_jwk', '=', row.private_jwk)
          .executeTakeFirst(),
    })),
    ...settings.map((row) => ({
      // A setting's name is not secret (refresh_token_successor_secret, …); its value is.
      what: `setting ${row.name}`,
      text: row.value,
      clear: !isSealed(row.value),
      replace: (trx: Kysely<Database>, text: string) =>
        trx
          .updateTable('settings')
          .set({ value: text })
          .where('name', '=', row.name)
          .where('value', '=', row.value)
          .executeTakeFirst(),
    })),
  ];
}

/**
 * Refuses a store holding ciphertext when no master key is configured (ERR_KEYRING_KEY_UNREADABLE,
 * one line naming SESAME_MASTER_KEY). Needs the tables: call after migrating.
 *
 * @example await assertNothingSealed(db);
 */
export async function assertNothingSealed(db: Kysely<Database>): Promise<void> {
  for (const row of await secretRows(db)) if (isSealed(row.text)) throw needsMasterKey();
}

/**
 * Wraps `store` so its signing keys and settings are encrypted with `cipher`; without a cipher,
 * they pass as they are (and `rewrapSigningKeys` does nothing), but a sealed value read back is
 * refused rather than used as a key.
 *
 * @example const store = withEncryptedKeys(kyselyStore, { db, write }, createMasterKeyCipher({ current }));
 */
export async function withEncryptedKeys(
  store: Store,
  raw: RawAccess,
  cipher: KeyCipher | RewrappingCipher | undefined,
  rewrapNow = true,
): Promise<EncryptedStore> {
  if (!cipher) {
    const clear = (value: string | undefined) => {
      if (value !== undefined && isSealed(value)) throw needsMasterKey();
      return value;
    };
    return Object.freeze({
      ...store,
      getSetting: async (name: string) => clear(await store.getSetting(name)),
      initSetting: async (name: string, value: string) =>
        clear(await store.initSetting(name, value)) as string,
      rewrapSigningKeys: async () => 0,
    });
  }
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
  // A setting in clear (written before encryption was on, by a process without the key) is read
  // as it is; the next open rewraps it.
  const openSetting = async (name: string, stored: string): Promise<string> => {
    if (!isSealed(stored)) return stored;
    try {
      return await cipher.decrypt(stored);
    } catch (error) {
      throw new KeyringError('ERR_KEYRING_KEY_UNREADABLE', `setting ${name} cannot be decrypted`, {
        cause: error,
      });
    }
  };

  const rewrapSigningKeys = async (): Promise<number> => {
    let changed = 0;
    for (const row of await secretRows(raw.db)) {
      if (isCurrent(row.text)) continue;
      let plain: string;
      try {
        plain = row.clear ? row.text : await cipher.decrypt(row.text);
      } catch (error) {
        throw new KeyringError(
          'ERR_KEYRING_KEY_UNREADABLE',
          `${row.what} cannot be decrypted with SESAME_MASTER_KEY or SESAME_MASTER_KEY_PREVIOUS`,
          { cause: error },
        );
      }
      const sealed = await cipher.encrypt(plain);
      // Compare-and-set on the old text: two workers rewrapping at once change each row once.
      const result = await raw.write((trx) => row.replace(trx, sealed));
      changed += Number(result.numUpdatedRows);
    }
    return changed;
  };

  // At open: every stored secret must be readable now, not at the next rotation months later.
  if (rewrapNow) await rewrapSigningKeys();
  return Object.freeze({
    ...store,
    insertSigningKey: async (key: SigningKey) => store.insertSigningKey(await seal(key)),
    rotateSigningKeys: async (input: Parameters<Store['rotateSigningKeys']>[0]) =>
      store.rotateSigningKeys({
        ...input,
        newNext: input.newNext === null ? null : await seal(input.newNext),
      }),
    listSigningKeys: async () => Promise.all((await store.listSigningKeys()).map(open)),
    async getSetting(name: string) {
      const stored = await store.getSetting(name);
      return stored === undefined ? undefined : openSetting(name, stored);
    },
    async initSetting(name: string, value: string) {
      return openSetting(name, await store.initSetting(name, await cipher.encrypt(value)));
    },
    rewrapSigningKeys,
  });
}
