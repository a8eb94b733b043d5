/**
 * A clone alone has no ../shared/vectors: `npm run conformance` and `npm run test:attacks` say what
 * is missing in one line, skip (exit 0) outside CI and fail in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dataVerdict, inCi, vectorsDir } from '../vectors.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const MISSING = join(mkdtempSync(join(tmpdir(), 'sesame-novectors-')), 'vectors');

/** The environment of a machine that is not CI, plus `extra`. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.CI;
  delete base.SESAME_TEST_REQUIRE_SERVICES;
  return { ...base, SESAME_VECTORS_DIR: MISSING, ...extra };
}

function run(script: string, extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: env(extra),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe('dataVerdict', () => {
  it('finds data that is there', () => {
    expect(dataVerdict('suite', ROOT, 'anything', {})).toEqual({ present: true });
  });
  it('skips outside CI and fails in CI, naming the path and what it is for', () => {
    const outside = dataVerdict('suite', MISSING, 'the list', {});
    expect(outside).toMatchObject({ present: false, skip: true, exitCode: 0 });
    const ci = dataVerdict('suite', MISSING, 'the list', { CI: 'true' });
    expect(ci).toMatchObject({ present: false, skip: false, exitCode: 1 });
    for (const verdict of [outside, ci]) {
      if (verdict.present) continue;
      expect(verdict.line).toContain(MISSING);
      expect(verdict.line).toContain('the list');
      expect(verdict.line).not.toContain('\n');
    }
  });
  it('takes CI or SESAME_TEST_REQUIRE_SERVICES for CI, not an empty or false value', () => {
    expect(inCi({ CI: 'true' })).toBe(true);
    expect(inCi({ SESAME_TEST_REQUIRE_SERVICES: '1' })).toBe(true);
    expect(inCi({ CI: '' })).toBe(false);
    expect(inCi({ CI: 'false', SESAME_TEST_REQUIRE_SERVICES: '0' })).toBe(false);
    expect(inCi({})).toBe(false);
  });
  it('reads SESAME_VECTORS_DIR, else ../shared/vectors beside the project', () => {
    expect(vectorsDir({ SESAME_VECTORS_DIR: MISSING })).toBe(MISSING);
    expect(vectorsDir({})).toBe(resolve(ROOT, '..', 'shared', 'vectors'));
  });
});

describe('the suites without vectors', () => {
  it('npm run conformance skips with one line and exit 0 outside CI', () => {
    const { code, stdout, stderr } = run('scripts/conformance.ts');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toHaveLength(1);
    expect(stdout).toMatch(/^conformance: skipped: .*vectors\/README\.md is missing/);
  });
  it('npm run conformance fails with one line in CI', () => {
    const { code, stdout, stderr } = run('scripts/conformance.ts', { CI: 'true' });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^conformance: error: .*vectors\/README\.md is missing.*CI requires it$/);
  });
  it('npm run test:attacks fails with one line in CI, before starting anything', () => {
    const { code, stdout, stderr } = run('attacks/run.ts', { SESAME_TEST_REQUIRE_SERVICES: '1' });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^test:attacks: error: .*jwt\.secrets\.list is missing/);
  });
});
