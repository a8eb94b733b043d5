import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  tempDir as makeTempDir,
  REPO_ROOT,
  type RunResult,
  runNode,
  SESAME_MAIN,
  SOURCE_NODE_ARGS,
} from '@sesame/testkit';

/**
 * Runs the token and key tools as a real process, from the TypeScript sources (@sesame/testkit's
 * node arguments: the tsx loader and the `sesame-source` condition), or with `main` the real
 * `sesame` entry point. This works on a clean clone after `npm install`, with nothing else built.
 */
const ENTRY = resolve(fileURLToPath(new URL('.', import.meta.url)), 'fixtures/sesame-tools.ts');

export { REPO_ROOT };

export type CliResult = RunResult;
export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Run the full `sesame` program (src/cli/main.ts) instead of the tools alone. */
  main?: boolean;
}

/** Runs `sesame <args>`; stdout is a pipe, so output is plain unless FORCE_COLOR is set. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return runNode([...SOURCE_NODE_ARGS, options.main ? SESAME_MAIN : ENTRY, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: '', FORCE_COLOR: '', ...options.env },
    stdin: options.input ?? '',
  });
}

/** Runs the CLI and fails with its stderr unless it exits 0; returns stdout. */
export async function cliOk(args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await runCli(args, options);
  if (result.code !== 0) {
    throw new Error(`sesame ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  }
  return result.stdout;
}

/** A fresh temporary directory for key files. */
export function tempDir(): string {
  return makeTempDir('sesame-cli-');
}

/** stderr is exactly one line: "error CODE: message". */
export function oneLineError(stderr: string): { code: string; line: string } {
  const lines = stderr.split('\n').filter((line) => line.length > 0);
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got: ${stderr}`);
  const match = /^error (ERR_[A-Z_]+): /.exec(lines[0]!);
  if (!match) throw new Error(`unexpected error line: ${lines[0]}`);
  return { code: match[1]!, line: lines[0]! };
}
