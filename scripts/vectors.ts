/**
 * Where the third-party vectors are, and what a suite does when they are not there. They are never
 * copied into the project: `../shared/vectors` beside the checkout (SESAME_VECTORS_DIR overrides
 * it). A clone alone has no such folder, so outside CI a suite that needs them skips with one line
 * saying why and exits 0; in CI (CI or SESAME_TEST_REQUIRE_SERVICES set, as .ci/run does) the same
 * line is an error and the suite fails, so a CI run never passes by running nothing.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The vectors folder: SESAME_VECTORS_DIR, or ../shared/vectors next to the project root. */
export function vectorsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SESAME_VECTORS_DIR ? resolve(env.SESAME_VECTORS_DIR) : resolve(ROOT, '..', 'shared', 'vectors');
}

/** CI must run every suite: a missing input fails there instead of skipping. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (value: string | undefined) =>
    value !== undefined && value !== '' && value !== '0' && value !== 'false';
  return set(env.CI) || set(env.SESAME_TEST_REQUIRE_SERVICES);
}

export type DataVerdict =
  | { present: true }
  | { present: false; skip: boolean; line: string; exitCode: 0 | 1 };

/**
 * Whether `path` (a file or folder a suite reads) exists, and if not the one line to print and the
 * exit code: skip (0) outside CI, fail (1) in CI.
 *
 * @example const v = dataVerdict('conformance', dir, 'the Wycheproof and RFC 7520 files');
 */
export function dataVerdict(
  suite: string,
  path: string,
  needs: string,
  env: NodeJS.ProcessEnv = process.env,
): DataVerdict {
  if (existsSync(path)) return { present: true };
  const where = `${path} is missing (${needs}; put ../shared/vectors beside the checkout or set SESAME_VECTORS_DIR)`;
  return inCi(env)
    ? { present: false, skip: false, line: `${suite}: error: ${where}; CI requires it`, exitCode: 1 }
    : { present: false, skip: true, line: `${suite}: skipped: ${where}; CI would fail here`, exitCode: 0 };
}
