import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Runs the token and key tools as a real process, from the TypeScript sources: node with the tsx
 * loader and the `sesame-source` condition (so @sesame/jwt is its source, as in the unit tests).
 * This works on a clean clone after `npm install`, with nothing else built.
 */
const HERE = fileURLToPath(new URL('.', import.meta.url));
const ENTRY = resolve(HERE, 'fixtures/sesame-tools.ts');
/** The real `sesame` entry point, for the test that proves the wiring. */
const MAIN = resolve(HERE, '../../src/cli/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
export const REPO_ROOT = resolve(HERE, '../../../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Run the full `sesame` program (src/cli/main.ts) instead of the tools alone. */
  main?: boolean;
}

/** Runs `sesame <args>`; stdout is a pipe, so output is plain unless FORCE_COLOR is set. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env = { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...options.env };
    const child = spawn(
      process.execPath,
      ['--conditions=sesame-source', '--import', TSX, options.main ? MAIN : ENTRY, ...args],
      {
        cwd: options.cwd ?? REPO_ROOT,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
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
  return mkdtempSync(join(tmpdir(), 'sesame-cli-'));
}

/** stderr is exactly one line: "error CODE: message". */
export function oneLineError(stderr: string): { code: string; line: string } {
  const lines = stderr.split('\n').filter((line) => line.length > 0);
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got: ${stderr}`);
  const match = /^error (ERR_[A-Z_]+): /.exec(lines[0]!);
  if (!match) throw new Error(`unexpected error line: ${lines[0]}`);
  return { code: match[1]!, line: lines[0]! };
}
