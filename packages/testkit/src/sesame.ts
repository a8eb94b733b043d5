/**
 * The real `sesame` program as a process: from the TypeScript sources (node with the tsx loader and
 * the `sesame-source` condition: nothing needs building, as in the unit tests), or the built CLI
 * (packages/server/dist, what `npm install` builds; the attack suite uses it).
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type RunResult,
  runNode,
  type SpawnOptions,
  type Started,
  spawnNode,
  startNode,
} from './processes.js';

/** The repository's root folder. @example join(REPO_ROOT, 'docs') */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The tsx loader as a file URL, for `node --import`. @example spawn(process.execPath, ['--import', TSX, file]) */
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** node arguments that run a TypeScript file with workspace packages from their sources. */
export const SOURCE_NODE_ARGS: readonly string[] = ['--conditions=sesame-source', '--import', TSX];
/** The CLI's entry point in the sources. */
export const SESAME_MAIN = join(REPO_ROOT, 'packages/server/src/cli/main.ts');
/** The built CLI. */
export const SESAME_BUILT = join(REPO_ROOT, 'packages/server/dist/cli/main.js');

/**
 * The node arguments that run `sesame`, before its own arguments.
 *
 * @example runNode([...sesameArgs(), 'users', 'list'])
 */
export function sesameArgs(options: { built?: boolean } = {}): string[] {
  return options.built ? [SESAME_BUILT] : [...SOURCE_NODE_ARGS, SESAME_MAIN];
}

/**
 * Runs `sesame <args>` to completion.
 *
 * @example const { code, stdout } = await runSesame(['users', 'add', 'alice'], { stdin: 'pw\npw\n' });
 */
export function runSesame(
  args: readonly string[],
  options: Omit<SpawnOptions, 'inherit' | 'logFile'> & { built?: boolean } = {},
): Promise<RunResult> {
  return runNode([...sesameArgs(options), ...args], options);
}

/** Where and how `sesame serve` runs: its port, data dir, extra arguments, the built CLI or the sources. */
export interface ServeOptions extends SpawnOptions {
  port: number;
  dataDir?: string;
  built?: boolean;
  args?: readonly string[];
}

/** The node arguments of `sesame serve` with these options. */
function serveArgs(options: ServeOptions): string[] {
  const args = [...sesameArgs(options), 'serve', '--port', String(options.port)];
  if (options.dataDir !== undefined) args.push('--data-dir', options.dataDir);
  return [...args, ...(options.args ?? [])];
}

/** Its environment: the issuer is http://127.0.0.1:PORT and the log level warn, unless `env` says otherwise. */
function serveEnv(options: ServeOptions): Record<string, string | undefined> {
  return { SESAME_ISSUER: `http://127.0.0.1:${options.port}`, SESAME_LOG_LEVEL: 'warn', ...options.env };
}

/**
 * Starts `sesame serve` without waiting for it: for a start that is meant to fail, or to be
 * signalled while it starts (`untilPrinted(server, 'sesame listening')` waits when wanted).
 *
 * @example const server = spawnSesame({ port, dataDir, detached: true }); ... await server.exited;
 */
export function spawnSesame(options: ServeOptions): Started {
  return spawnNode(serveArgs(options), { ...options, env: serveEnv(options) });
}

/**
 * Starts `sesame serve` on a port and resolves once it prints that it listens (or, with `logFile`,
 * once /healthz answers).
 *
 * @example const server = await startSesame({ port, dataDir: tempDir() }); ... await server.stop();
 */
export function startSesame(
  options: Omit<ServeOptions, 'inherit'> & { timeoutMs?: number },
): Promise<Started> {
  return startNode({
    ...options,
    name: 'sesame serve',
    args: serveArgs(options),
    env: serveEnv(options),
    ...(options.logFile === undefined
      ? { ready: 'sesame listening' }
      : { readyUrl: `http://127.0.0.1:${options.port}/healthz` }),
  });
}

/**
 * A fresh temporary directory (a data dir, key files).
 *
 * @example const dataDir = tempDir('sesame-attacks-');
 */
export function tempDir(prefix = 'sesame-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
