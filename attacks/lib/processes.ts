import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { vectorsDir } from '../../scripts/vectors.js';

/**
 * The processes under attack, started for real: the built `sesame` CLI (packages/server/dist, what
 * `npm install` builds) and the quiz example, which runs from its TypeScript source through tsx
 * without the `sesame-source` condition, so its @sesame/guard is the built one too.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Third-party vectors live beside the checkout (or SESAME_VECTORS_DIR) and are never copied into it. */
export const VECTORS = vectorsDir();
const CLI = join(ROOT, 'packages/server/dist/cli/main.js');
const QUIZ_MAIN = join(ROOT, 'examples/quiz-api/src/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface Spawned {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** The environment without inherited SESAME_* variables: only what the attack suite sets counts. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SESAME_')) env[name] = value;
  return { ...env, ...extra };
}

function start(args: readonly string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, args, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: string) => {
    // Keep the tail only: a failing run prints it, a long one must not grow without bound.
    output = (output + chunk).slice(-20_000);
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Checks that the build exists, so a missing `npm run build` is one clear line, not a stack. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
}

/** `sesame serve` on a port and data dir, with SESAME_* settings from `env`. */
export function startSesame(port: number, dataDir: string, env: Record<string, string> = {}): Spawned {
  return start([CLI, 'serve', '--port', String(port), '--data-dir', dataDir], {
    SESAME_ISSUER: `http://127.0.0.1:${port}`,
    SESAME_LOG_LEVEL: 'warn',
    ...env,
  });
}

/** The quiz API behind @sesame/guard, configured through its environment. */
export function startQuiz(env: Record<string, string>): Spawned {
  return start(['--import', TSX, QUIZ_MAIN], env);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a `sesame` command to completion. */
export function sesame(
  args: readonly string[],
  input = '',
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Runs a `sesame` command that must succeed, and parses its --json output. */
export async function sesameJson<T>(args: readonly string[], input = ''): Promise<T> {
  const result = await sesame([...args, '--json'], input);
  if (result.code !== 0) throw new Error(`sesame ${args.slice(0, 2).join(' ')}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as T;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Waits for `url` to answer 200; fails at once when the process exits first. */
export async function waitForOk(url: string, process: Spawned, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process.child.exitCode !== null) {
      throw new Error(`${url}: the process exited (${process.child.exitCode}): ${process.output().trim()}`);
    }
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
