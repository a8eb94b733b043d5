import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { hmacSecretProblem } from '../../src/config/secrets.js';

// A leaked secret long enough to pass the length rule: only the list can catch it.
const LISTED = '0a6b944d-d2fb-46fc-a85e-0295c986cd9f';
const STRONG = 'Zq7-vN2x_Lp9#wK4tR8m!Yb3cF6hJ1sD5gA0';

function listFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-weak-'));
  const file = join(dir, 'jwt.secrets.list');
  // Like the published list: CRLF line endings, the empty secret on the first line.
  writeFileSync(file, ['', 'secret', LISTED, 'your-256-bit-secret'].join('\r\n'));
  return file;
}

function refusal(values: Record<string, unknown>): string {
  try {
    loadConfig({ values: { tokenProfile: 'classic', ...values } });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('hmacSecretProblem', () => {
  it('refuses one repeated character and a single word, built in', () => {
    expect(hmacSecretProblem('a'.repeat(40), '')).toMatch(/one character repeated/);
    expect(hmacSecretProblem('supercalifragilisticexpialidocious', '')).toMatch(
      /single dictionary-like word/,
    );
    expect(hmacSecretProblem('Supercalifragilisticexpialidocious2024', '')).toMatch(/word/);
    expect(hmacSecretProblem(STRONG, '')).toBeUndefined();
  });

  it('refuses a secret on the list, and only then', () => {
    const file = listFile();
    expect(hmacSecretProblem(LISTED, file)).toMatch(/list of leaked secrets/);
    expect(hmacSecretProblem(`${LISTED}x`, file)).toBeUndefined();
    // Without a list the leaked value is not known to be leaked.
    expect(hmacSecretProblem(LISTED, '')).toBeUndefined();
  });
});

describe('loadConfig with HS256 secrets', () => {
  it('stops on a listed secret with one line naming the key, never the secret', () => {
    const message = refusal({ hmacSecret: LISTED, weakSecretsFile: listFile() });
    expect(message).toMatch(/^hmacSecret \(SESAME_HMAC_SECRET\): .*leaked/);
    expect(message).not.toContain(LISTED);
  });

  it('stops on an unreadable list, naming weakSecretsFile', () => {
    const message = refusal({ hmacSecret: STRONG, weakSecretsFile: '/nonexistent/list' });
    expect(message).toMatch(/^weakSecretsFile \(SESAME_WEAK_SECRETS_FILE\): cannot read/);
  });

  it('stops on the built-in rules, also for algorithm HS256', () => {
    expect(refusal({ hmacSecret: 'x'.repeat(32) })).toMatch(/one character repeated/);
    const word = 'abcdefghijklmnopqrstuvwxyzabcdefgh';
    expect(() => loadConfig({ values: { algorithm: 'HS256', hmacSecret: word } })).toThrow(/word/);
  });

  it('accepts a strong secret with the list, and ignores the list without HS256', () => {
    const file = listFile();
    expect(
      loadConfig({ values: { tokenProfile: 'classic', hmacSecret: STRONG, weakSecretsFile: file } }),
    ).toBeTruthy();
    expect(loadConfig({ env: { SESAME_WEAK_SECRETS_FILE: '/nonexistent/list' } }).algorithm).toBe('ES256');
  });
});
