import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_MASTER_KEY } from '@sesame/testkit';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFailure, EXIT } from '../../src/cli/failure.js';
import { KeyringError } from '../../src/domain/keys/errors.js';
import { createMasterKeyCipher } from '../../src/domain/keys/master-key-cipher.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { aKey, codeOf } from './conformance/fixtures.js';
import { describeStoreConformance } from './conformance/suite.js';

const root = mkdtempSync(join(tmpdir(), 'sesame-store-enc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshFile = () => join(root, `db-${++n}`, 'sesame.db');

const cipher = createMasterKeyCipher({ current: TEST_MASTER_KEY });
const otherKey = Buffer.alloc(32, 9).toString('base64');

/** Text that must never be found in the file once encryption is on. */
const PRIVATE = 'Zq7PrivateScalarOfTheSigningKey';
const SECRET = 'Zq7RefreshSuccessorHmacSecret';
const secretKey = () => aKey('current', { privateJwk: `{"kty":"EC","crv":"P-256","d":"${PRIVATE}"}` });

/** The database file and its WAL, as a thief who copied the data dir would read them. */
function bytesOnDisk(file: string): string {
  return [file, `${file}-wal`]
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');
}

function rawRows(file: string) {
  const raw = new Database(file, { readonly: true });
  try {
    return {
      keys: raw.prepare('select private_jwk from signing_keys').all() as Array<{ private_jwk: string }>,
      settings: raw.prepare('select value from settings').all() as Array<{ value: string }>,
    };
  } finally {
    raw.close();
  }
}

describeStoreConformance('sqlite with a master key', async () => {
  const file = freshFile();
  return {
    store: await openSqliteStore({ file, keyCipher: cipher }),
    openSecond: () => openSqliteStore({ file, keyCipher: cipher }),
  };
});

describe('SQLite with a master key: signing keys and secrets encrypted at rest', () => {
  it('stores private keys and settings only as ciphertext, and reads them back in clear', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file, keyCipher: cipher });
    const key = secretKey();
    await store.insertSigningKey(key);
    expect(await store.initSetting('refresh_token_successor_secret', SECRET)).toBe(SECRET);
    expect(await store.initSetting('refresh_token_successor_secret', 'another')).toBe(SECRET);
    expect(await store.getSetting('refresh_token_successor_secret')).toBe(SECRET);
    expect((await store.listSigningKeys())[0]?.privateJwk).toBe(key.privateJwk);
    await store.close();

    const { keys, settings } = rawRows(file);
    for (const text of [...keys.map((r) => r.private_jwk), ...settings.map((r) => r.value)]) {
      expect(text).toMatch(new RegExp(`^mk1\\.${cipher.keyId}\\.`));
    }
    const disk = bytesOnDisk(file);
    expect(disk).not.toContain(PRIVATE);
    expect(disk).not.toContain(SECRET);
  });

  it('upgrades a store written in clear at the first open with a key, leaving no clear copy in the file', async () => {
    const file = freshFile();
    const clear = await openSqliteStore({ file });
    const key = secretKey();
    await clear.insertSigningKey(key);
    await clear.initSetting('browser_session_secret', SECRET);
    // A key retired and deleted before the upgrade: its row is gone, its text is still in the page.
    const gone = 'Zq7DeletedRetiredKeyScalar';
    await clear.insertSigningKey(
      aKey('retired', { privateJwk: `{"kty":"EC","d":"${gone}"}`, retiredAt: 1, expiresAt: 2 }),
    );
    expect(await clear.deleteExpiredSigningKeys(3)).toBe(1);
    await clear.close();
    expect(bytesOnDisk(file)).toContain(PRIVATE);
    expect(bytesOnDisk(file)).toContain(gone);

    const upgraded = await openSqliteStore({ file, keyCipher: cipher });
    expect((await upgraded.listSigningKeys())[0]?.privateJwk).toBe(key.privateJwk);
    expect(await upgraded.getSetting('browser_session_secret')).toBe(SECRET);
    expect(await upgraded.rewrapSigningKeys()).toBe(0);
    await upgraded.close();
    const disk = bytesOnDisk(file);
    expect(disk).not.toContain(PRIVATE);
    expect(disk).not.toContain(SECRET);
    expect(disk).not.toContain(gone);
  });

  it('refuses to open an encrypted store without a master key, in one line naming SESAME_MASTER_KEY', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file, keyCipher: cipher });
    await store.insertSigningKey(secretKey());
    await store.close();
    const error = (await openSqliteStore({ file }).catch((e: unknown) => e)) as Error;
    expect(await codeOf(Promise.reject(error))).toBe('ERR_KEYRING_KEY_UNREADABLE');
    expect(error.message).toMatch(/encrypted: set SESAME_MASTER_KEY/);
    expect(error.message).not.toContain('\n');
  });

  it('raises the keyring error class itself, so the CLI prints the same code, line and exit code as the keyring', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file, keyCipher: cipher });
    await store.initSetting('browser_session_secret', SECRET);
    await store.close();
    const error = await openSqliteStore({ file }).catch((e: unknown) => e);
    // The store defines the class (store/key-sealing.ts) and the domain re-exports it: one class.
    expect(error).toBeInstanceOf(KeyringError);
    expect(describeFailure(error)).toEqual({
      code: 'ERR_KEYRING_KEY_UNREADABLE',
      message:
        "this store's signing keys and secrets are encrypted: set SESAME_MASTER_KEY (and SESAME_MASTER_KEY_PREVIOUS while rotating) to the key they were encrypted with",
      exitCode: EXIT.unavailable,
    });
  });

  it('refuses a store whose only encrypted value is a setting, so a ciphertext is never used as a secret', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file, keyCipher: cipher });
    await store.initSetting('refresh_token_successor_secret', SECRET);
    await store.close();
    const error = (await openSqliteStore({ file }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/SESAME_MASTER_KEY/);
  });

  it('refuses to open under another master key, naming what cannot be decrypted', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file, keyCipher: cipher });
    await store.insertSigningKey(secretKey());
    await store.close();
    const other = createMasterKeyCipher({ current: otherKey });
    const error = (await openSqliteStore({ file, keyCipher: other }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^signing key k\S* cannot be decrypted with SESAME_MASTER_KEY/);
  });

  it('moves to a new master key with the old one as previous, and the old one alone then fails', async () => {
    const file = freshFile();
    const first = await openSqliteStore({ file, keyCipher: cipher });
    await first.insertSigningKey(secretKey());
    await first.initSetting('browser_session_secret', SECRET);
    await first.close();
    const rotated = createMasterKeyCipher({ current: otherKey, previous: TEST_MASTER_KEY });
    const second = await openSqliteStore({ file, keyCipher: rotated });
    expect(await second.getSetting('browser_session_secret')).toBe(SECRET);
    await second.close();
    for (const row of rawRows(file).settings)
      expect(row.value).toMatch(new RegExp(`^mk1\\.${rotated.keyId}\\.`));
    expect(await codeOf(openSqliteStore({ file, keyCipher: cipher }))).toBe('ERR_KEYRING_KEY_UNREADABLE');
  });

  it('without a master key, a clear store works as before', async () => {
    const file = freshFile();
    const store = await openSqliteStore({ file });
    await store.initSetting('browser_session_secret', SECRET);
    await store.close();
    expect(rawRows(file).settings[0]?.value).toBe(SECRET);
  });
});
