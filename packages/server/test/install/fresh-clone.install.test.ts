/**
 * The README's first steps on a fresh clone: `npm install`, then `npx sesame --help`. npm links a
 * workspace's bin during the install, before `prepare` builds dist/, and skips a bin whose file is
 * missing: a bin pointing into dist/ left a fresh clone without `sesame` ("could not determine
 * executable to run") until a second install. The clone is of the committed HEAD, so commit first.
 * `npm run test:install`; minutes long, so not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'sesame-install-'));
const clone = join(work, 'sesame');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment of a terminal, not of the `npm run` that started vitest (its npm_* settings). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('npm_') && name !== 'INIT_CWD' && !name.startsWith('SESAME_')) env[name] = value;
  }
  return env;
}

function run(command: string, args: string[], cwd = clone) {
  const result = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8' });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('a fresh clone', () => {
  it('has `npx sesame` after one `npm install`', () => {
    const cloned = run('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone], work);
    expect(cloned.code, cloned.stderr).toBe(0);
    // --prefer-offline: the machine's npm cache serves what it has (CI machines keep one).
    const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
    expect(installed.code, installed.stderr.slice(-2000)).toBe(0);
    // --yes=false: never install a package named `sesame` from the registry (a stranger's) when
    // the workspace's bin is missing; fail instead. (`--no sesame` would take `sesame` as its value.)
    const help = run('npx', ['--yes=false', 'sesame', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sesame /m);
    expect(help.stdout).toMatch(/users\s+manage user accounts/);
  });

  it('packs @sesame/server with the bin and the built CLI', () => {
    const packed = run('npm', ['pack', '--dry-run', '--json', '--workspace', 'packages/server']);
    expect(packed.code, packed.stderr).toBe(0);
    const [manifest] = JSON.parse(packed.stdout) as Array<{ name: string; files: Array<{ path: string }> }>;
    expect(manifest!.name).toBe('@sesame/server');
    const files = manifest!.files.map((file) => file.path);
    expect(files).toContain('bin/sesame.js');
    expect(files).toContain('dist/cli/main.js');
  });
});
