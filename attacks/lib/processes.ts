import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO_ROOT,
  type RunResult,
  runNode,
  SESAME_BUILT,
  type Started,
  spawnNode,
  spawnSesame,
  TSX,
  waitForOk as waitForUrl,
} from '@sesame/testkit';
import { vectorsDir } from '../../scripts/vectors.js';

export { freePort } from '@sesame/testkit';

/**
 * The processes under attack, started for real (through @sesame/testkit): the built `sesame` CLI
 * (packages/server/dist, what `npm install` builds) and the quiz example, which runs from its
 * TypeScript source through tsx without the `sesame-source` condition, so its @sesame/guard is the
 * built one too.
 */
export const ROOT = REPO_ROOT;
/** Third-party vectors live beside the checkout (or SESAME_VECTORS_DIR) and are never copied into it. */
export const VECTORS = vectorsDir();
const CLI = SESAME_BUILT;
const QUIZ_MAIN = join(ROOT, 'examples/quiz-api/src/main.ts');

export type Spawned = Started;
export type CliResult = RunResult;

/** The environment without inherited SESAME_* variables: only what the attack suite sets counts. */
function cleanEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SESAME_')) env[name] = value;
  return { ...env, ...extra };
}

function start(args: readonly string[], env: Record<string, string>): Spawned {
  return spawnNode(args, { env: cleanEnv(env), cleanEnv: true });
}

/** Checks that the build exists, so a missing `npm run build` is one clear line, not a stack. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
}

/** The built `sesame serve` on a port and data dir, with SESAME_* settings from `env`. */
export function startSesame(port: number, dataDir: string, env: Record<string, string> = {}): Spawned {
  return spawnSesame({ port, dataDir, built: true, env: cleanEnv(env), cleanEnv: true });
}

/** The quiz API behind @sesame/guard, configured through its environment. */
export function startQuiz(env: Record<string, string>): Spawned {
  return start(['--import', TSX, QUIZ_MAIN], env);
}

/** Runs a `sesame` command to completion. */
export function sesame(
  args: readonly string[],
  input = '',
  env: Record<string, string> = {},
): Promise<CliResult> {
  return runNode([CLI, ...args], { env: cleanEnv(env), cleanEnv: true, stdin: input });
}

/** Runs a `sesame` command that must succeed, and parses its --json output. */
export async function sesameJson<T>(args: readonly string[], input = ''): Promise<T> {
  const result = await sesame([...args, '--json'], input);
  if (result.code !== 0) throw new Error(`sesame ${args.slice(0, 2).join(' ')}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as T;
}

/**
 * Waits for `url` to answer 200; fails at once when the process exits first. The deadline only
 * catches a server that hangs: on a loaded 2-core machine a start has taken more than 30 s.
 */
export async function waitForOk(url: string, process: Spawned, timeoutMs = 180_000): Promise<void> {
  try {
    await waitForUrl(url, { timeoutMs, process });
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${process.output().trim()}`);
  }
}
