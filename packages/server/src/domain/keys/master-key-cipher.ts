/**
 * Private signing keys encrypted at rest with a master key from the environment (SESAME_MASTER_KEY),
 * for stores other processes and backups can read (PostgreSQL). AES-256-GCM from node:crypto:
 * authenticated, so a changed byte or a wrong key fails to decrypt instead of yielding garbage.
 *
 * Stored form:  mk1.<key id>.<iv>.<ciphertext + tag>   (base64url parts)
 * The key id (16 hex digits of an HMAC of the master key) says which master key encrypted a row, so
 * the master key can be rotated: start with SESAME_MASTER_KEY=new and SESAME_MASTER_KEY_PREVIOUS=old,
 * rows are re-encrypted under the new key (`sesame keys rewrap`, or at start), then drop the old.
 * The id reveals nothing about the key; the header is authenticated (GCM additional data).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { decodeMasterKey } from '../../config/master-key.js';
import { type KeyCipher, SEALED_VERSION as VERSION } from '../../store/key-sealing.js';

export interface MasterKeyCipher extends KeyCipher {
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
  /** The id of the current master key (as written into new ciphertexts). */
  readonly keyId: string;
  /** True when `stored` is encrypted under the current master key (nothing to rewrap). */
  isCurrent(stored: string): boolean;
}

export interface MasterKeys {
  /** SESAME_MASTER_KEY: 32 random bytes as base64, base64url or hex. */
  current: string;
  /** SESAME_MASTER_KEY_PREVIOUS: the key being rotated out; decrypts only. */
  previous?: string;
}

const IV_BYTES = 12; // the GCM nonce size NIST SP 800-38D recommends
const TAG_BYTES = 16;

interface DerivedKey {
  id: string;
  aes: Buffer;
}

function derive(master: Buffer): DerivedKey {
  // Separate keys for the id and for encryption: publishing the id never helps against the AES key.
  const id = createHmac('sha256', master).update('sesame master key id').digest('hex').slice(0, 16);
  const aes = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'sesame signing keys aes-256-gcm', 32));
  return { id, aes };
}

/**
 * The cipher of SESAME_MASTER_KEY (and SESAME_MASTER_KEY_PREVIOUS while rotating).
 *
 * @example
 * const cipher = createMasterKeyCipher({ current: process.env.SESAME_MASTER_KEY! });
 * const store = await openPostgresStore({ url, keyCipher: cipher });
 */
export function createMasterKeyCipher(keys: MasterKeys): MasterKeyCipher {
  const current = derive(decodeMasterKey(keys.current, 'SESAME_MASTER_KEY'));
  const byId = new Map([[current.id, current]]);
  if (keys.previous !== undefined && keys.previous !== '') {
    const previous = derive(decodeMasterKey(keys.previous, 'SESAME_MASTER_KEY_PREVIOUS'));
    if (!byId.has(previous.id)) byId.set(previous.id, previous);
  }
  const header = (id: string) => `${VERSION}.${id}`;

  return Object.freeze({
    name: `aes-256-gcm:${VERSION}`,
    keyId: current.id,
    isCurrent: (stored: string) => stored.startsWith(`${header(current.id)}.`),
    encrypt(plaintext: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.aes, iv);
      cipher.setAAD(Buffer.from(header(current.id)));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${header(current.id)}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    decrypt(stored: string): string {
      const [version, id, iv, body, ...rest] = stored.split('.');
      if (version !== VERSION || !id || !iv || !body || rest.length > 0)
        throw new Error('not a master-key ciphertext');
      const key = byId.get(id);
      // Which key is missing is useful to an operator; the id is not secret.
      if (!key) throw new Error(`encrypted under master key ${id}, which is not configured`);
      const raw = Buffer.from(body, 'base64url');
      if (raw.length < TAG_BYTES) throw new Error('the ciphertext is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key.aes, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(header(id)));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(raw.subarray(0, raw.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new Error(`the ciphertext does not authenticate under master key ${id}`);
      }
    },
  });
}
