import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_MASTER_KEY } from '@sesame/testkit';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('SQLite with SESAME_MASTER_KEY, from the command line', () => {
  it('encrypts the keys it makes, refuses the store without the key in one line, and rewraps with it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sesame-master-key-'));
    const withKey = { SESAME_DATA_DIR: dataDir, SESAME_MASTER_KEY: TEST_MASTER_KEY };
    // A new store is made by a command that writes (here `migrate`); `keys rotate` needs one.
    const made = await runCli(['migrate'], { main: true, env: withKey });
    expect(made.stderr).toBe('');
    const rotated = await runCli(['keys', 'rotate'], { main: true, env: withKey });
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    // The private JWK's members never reach the file in clear.
    expect(readFileSync(join(dataDir, 'sesame.db')).toString('latin1')).not.toMatch(/"d":"/);

    const refused = await runCli(['keys', 'rotate'], { main: true, env: { SESAME_DATA_DIR: dataDir } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/encrypted: set SESAME_MASTER_KEY/);

    const rewrapped = await runCli(['keys', 'rewrap'], { main: true, env: withKey });
    expect(rewrapped.stderr).toBe('');
    expect(rewrapped.stdout).toMatch(/^re-encrypted 0 signing key\(s\) and secret\(s\)/);
  }, 90_000);
});
