import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyring } from '../../src/domain/keys/keyring.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { runCli } from './run-cli.js';

describe('sesame keys revoke', () => {
  it('revokes the current key (the next one signs) and refuses an unknown kid in one line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sesame-keys-revoke-'));
    const env = { SESAME_DATA_DIR: dataDir };
    // The commands work on an existing store: make one, with its first keys.
    const store = await openSqliteStore({ file: join(dataDir, 'sesame.db') });
    await createKeyring({ store });
    await store.close();
    const listed = await runCli(['keys', 'list', '--json'], { main: true, env });
    expect(listed.code, listed.stderr).toBe(0);
    const keys = JSON.parse(listed.stdout) as Array<{ kid: string; state: string }>;
    const current = keys.find((key) => key.state === 'current')!.kid;
    const next = keys.find((key) => key.state === 'next')!.kid;

    const revoked = await runCli(['keys', 'revoke', current], { main: true, env });
    expect(revoked.stderr).toBe('');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`key ${current} revoked (was current); signing with ${next}\n`);

    const after = JSON.parse(
      (await runCli(['keys', 'list', '--json'], { main: true, env })).stdout,
    ) as Array<{
      kid: string;
      state: string;
    }>;
    expect(after.find((key) => key.kid === current)?.state).toBe('revoked');
    expect(after.find((key) => key.kid === next)?.state).toBe('current');

    const unknown = await runCli(['keys', 'revoke', 'no-such-kid'], { main: true, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error ERR_KEYRING_KEY_NOT_FOUND: /),
    ]);

    // One thumbprint in 64 begins with '-' (as one did in CI): it is a kid, not an option.
    const dashed = `-${'A'.repeat(42)}`;
    const withDash = await runCli(['keys', 'revoke', dashed, '--data-dir', dataDir], { main: true });
    expect(withDash.code).toBe(1);
    expect(withDash.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error ERR_KEYRING_KEY_NOT_FOUND: /),
    ]);
  }, 60_000);
});
