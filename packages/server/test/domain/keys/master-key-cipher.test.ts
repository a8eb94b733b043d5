/**
 * The master-key cipher (AES-256-GCM, key id in the ciphertext) and the configuration rules of
 * distributed mode. Every check is seen failing: a wrong key, a changed byte, a malformed master
 * key, PostgreSQL without a master key — and no message ever repeats a key or a URL's password.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { createMasterKeyCipher } from '../../../src/domain/keys/master-key-cipher.js';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('hex');
const JWK = '{"kty":"EC","crv":"P-256","d":"secret-scalar","x":"x","y":"y"}';

describe('master-key cipher', () => {
  it('round-trips, with a fresh IV each time, and never shows the plaintext', () => {
    const cipher = createMasterKeyCipher({ current: KEY_A });
    const one = cipher.encrypt(JWK);
    const two = cipher.encrypt(JWK);
    expect(one).not.toBe(two);
    expect(one).toMatch(new RegExp(`^mk1\\.${cipher.keyId}\\.[\\w-]{16}\\.[\\w-]+$`));
    expect(one).not.toContain('secret-scalar');
    expect(cipher.decrypt(one)).toBe(JWK);
    expect(cipher.isCurrent(one)).toBe(true);
  });

  it('refuses a changed byte, a changed header, a wrong key and a non-ciphertext', () => {
    const a = createMasterKeyCipher({ current: KEY_A });
    const b = createMasterKeyCipher({ current: KEY_B });
    const sealed = a.encrypt(JWK);
    const body = sealed.split('.')[3]!;
    const flipped = `${body.slice(0, 5)}${body[5] === 'A' ? 'B' : 'A'}${body.slice(6)}`;
    expect(() => a.decrypt(sealed.replace(body, flipped))).toThrow(/does not authenticate/);
    expect(() => a.decrypt(sealed.replace('mk1.', 'mk2.'))).toThrow(/not a master-key ciphertext/);
    expect(() => b.decrypt(sealed)).toThrow(new RegExp(`master key ${a.keyId}, which is not configured`));
    expect(() => a.decrypt(JWK)).toThrow();
    expect(() => a.decrypt('mk1.x.y')).toThrow();
    expect(b.isCurrent(sealed)).toBe(false);
  });

  it('decrypts under the previous key while rotating, and encrypts only under the current one', () => {
    const old = createMasterKeyCipher({ current: KEY_A });
    const rotating = createMasterKeyCipher({ current: KEY_B, previous: KEY_A });
    const sealedOld = old.encrypt(JWK);
    expect(rotating.decrypt(sealedOld)).toBe(JWK);
    expect(rotating.isCurrent(sealedOld)).toBe(false);
    const resealed = rotating.encrypt(JWK);
    expect(rotating.isCurrent(resealed)).toBe(true);
    expect(() => old.decrypt(resealed)).toThrow();
  });

  it('refuses a master key that is not 32 bytes of base64 or hex, without echoing it', () => {
    for (const bad of ['short', 'x'.repeat(44), Buffer.alloc(16).toString('base64'), 'z'.repeat(64)]) {
      let error: unknown;
      try {
        createMasterKeyCipher({ current: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^SESAME_MASTER_KEY: must be 32 random bytes/);
      expect((error as Error).message).not.toContain(bad);
    }
    expect(() => createMasterKeyCipher({ current: KEY_A, previous: 'nope' })).toThrow(
      /SESAME_MASTER_KEY_PREVIOUS/,
    );
  });
});

describe('distributed-mode configuration', () => {
  const load = (env: Record<string, string>) => loadConfig({ env });
  const message = (env: Record<string, string>) => {
    try {
      load(env);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const url = 'postgres://sesame:pg-password-1@db.internal/sesame';

  it('reads the database, Redis and master-key variables', () => {
    const config = load({
      SESAME_DATABASE_URL: url,
      SESAME_MASTER_KEY: KEY_A,
      SESAME_REDIS_URL: 'redis://cache:6379',
      SESAME_REVOCATION_FAIL_MODE: 'open',
      SESAME_WORKERS: '3',
    });
    expect(config).toMatchObject({
      databaseUrl: url,
      redisUrl: 'redis://cache:6379',
      revocationFailMode: 'open',
      workers: 3,
    });
    expect(load({})).toMatchObject({
      databaseUrl: '',
      redisUrl: '',
      revocationFailMode: 'closed',
      workers: 0,
    });
  });

  it('refuses PostgreSQL without a master key, in one line naming the variable and not the URL', () => {
    const text = message({ SESAME_DATABASE_URL: url });
    expect(text).toMatch(/^masterKey \(SESAME_MASTER_KEY\): required with SESAME_DATABASE_URL/);
    expect(text).not.toContain('pg-password-1');
    expect(text).not.toContain('\n');
  });

  it('refuses URLs of the wrong kind and a previous key without a current one', () => {
    expect(message({ SESAME_DATABASE_URL: 'mysql://u:p@h/db', SESAME_MASTER_KEY: KEY_A })).toMatch(
      /^databaseUrl \(SESAME_DATABASE_URL\): must be a postgres:\/\/ URL$/,
    );
    expect(message({ SESAME_REDIS_URL: 'http://cache' })).toMatch(/^redisUrl \(SESAME_REDIS_URL\)/);
    expect(message({ SESAME_MASTER_KEY_PREVIOUS: KEY_A })).toMatch(/needs SESAME_MASTER_KEY/);
    expect(message({ SESAME_REVOCATION_FAIL_MODE: 'maybe' })).toMatch(/SESAME_REVOCATION_FAIL_MODE/);
  });
});
