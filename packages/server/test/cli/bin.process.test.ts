/**
 * The committed `sesame` bin (packages/server/bin/sesame.js) and the publishable packages: the bin
 * exists before any build, runs the built CLI, and says in one line what to do when it is not
 * built; the packages have names of our own scope, so `npm install -g @sesame/server` is Sesame.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLineError, REPO_ROOT, tempDir } from './run-cli.js';

const BIN = join(REPO_ROOT, 'packages/server/bin/sesame.js');

/** A package folder holding a copy of the bin, with or without a built CLI. */
function packageWithBin(main?: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'bin'));
  copyFileSync(BIN, join(dir, 'bin/sesame.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  if (main !== undefined) {
    mkdirSync(join(dir, 'dist/cli'), { recursive: true });
    writeFileSync(join(dir, 'dist/cli/main.js'), main);
  }
  return dir;
}

const runBin = (dir: string) =>
  spawnSync(process.execPath, [join(dir, 'bin/sesame.js'), '--help'], { encoding: 'utf8' });

const manifest = (path: string) => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8'));

describe('the sesame bin', () => {
  it('runs the built CLI with the arguments', () => {
    const result = runBin(packageWithBin('process.stdout.write(process.argv.slice(2).join(" "));'));
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('--help');
  });

  it('says in one line to build when dist/ is missing, and exits 5', () => {
    const result = runBin(packageWithBin());
    expect(result.status).toBe(5);
    expect(oneLineError(result.stderr).line).toBe(
      'error ERR_CLI_NOT_BUILT: sesame is not built yet: run `npm run build` in the Sesame repository',
    );
  });

  it('is committed and executable, and is what @sesame/server links as `sesame`', () => {
    const staged = spawnSync('git', ['ls-files', '-s', 'packages/server/bin/sesame.js'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).stdout;
    expect(staged).toMatch(/^100755 /);
    const server = manifest('packages/server/package.json');
    expect(server.bin).toEqual({ sesame: './bin/sesame.js' });
    expect(server.files).toContain('bin');
  });
});

describe('the packages', () => {
  it('are publishable under the @sesame scope (npm has an unrelated `sesame`)', () => {
    for (const path of [
      'packages/jwt',
      'packages/protocol',
      'packages/guard',
      'packages/tools',
      'packages/server',
    ]) {
      const pkg = manifest(`${path}/package.json`);
      expect(pkg.name, path).toMatch(/^@sesame\/[a-z-]+$/);
      expect(pkg.private, path).toBeUndefined();
      expect(pkg.publishConfig, path).toEqual({ access: 'public' });
      expect(pkg.files, path).toContain('dist');
    }
    // The root is the workspace, never published under the name of someone else's package.
    expect(manifest('package.json').private).toBe(true);
  });
});
