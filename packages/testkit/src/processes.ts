/**
 * Child processes for tests, benchmarks and the attack suite: start one and wait until it is ready,
 * run one to completion, find a free port, wait for a URL. Written once here; every caller used to
 * carry its own copy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A running process and what it has printed (the last 64 KiB of stdout and stderr together). */
/**
 * How long a started process may take to be ready. Only a hung process reaches it (one that exits
 * fails at once); `sesame serve` has taken more than 30 s on a 2-core machine with a load average of 14.
 */
export const START_DEADLINE_MS = 120_000;

export interface Started {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
  /** How the process ended, once it has and its output is all in (the 'close' event). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  /** Replace the environment instead of adding to this process's. */
  cleanEnv?: boolean;
  cwd?: string;
  /** Text written to stdin, which is then closed (default: closed at once). */
  stdin?: string;
  /** Output to this terminal instead of kept (a dev command). */
  inherit?: boolean;
  /** Output appended to this file instead of kept (a server logging every request). */
  logFile?: string;
  /** The leader of its own process group, as a terminal's job (signal the group with -pid). */
  detached?: boolean;
}

const KEEP = 65_536;

/**
 * Starts `node ...args` without waiting for anything.
 *
 * @example const server = spawnNode([CLI, 'serve', '--port', '8080']); ... await server.stop();
 */
export function spawnNode(args: readonly string[], options: SpawnOptions = {}): Started {
  const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.cleanEnv ? options.env : { ...process.env, ...options.env },
    stdio: options.inherit ? ['pipe', 'inherit', 'inherit'] : log === undefined ? 'pipe' : ['pipe', log, log],
    ...(options.detached ? { detached: true } : {}),
  });
  if (log !== undefined) closeSync(log);
  child.stdin?.end(options.stdin ?? '');
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-KEEP);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const file = options.logFile;
  return {
    child,
    exited: closed,
    pid: child.pid!,
    output: file === undefined ? () => output : () => readFileSync(file, 'utf8').slice(-KEEP),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface StartOptions extends SpawnOptions {
  /** For messages. */
  name: string;
  /** Ready once stdout or stderr has printed this. */
  ready?: RegExp | string;
  /** Ready once this URL answers 200 (the way with `logFile` or `inherit`). */
  readyUrl?: string;
  timeoutMs?: number;
}

/**
 * Starts `node ...args` and resolves once it is ready (a line, or a URL answering 200); rejects
 * with its output if it exits first or is not ready in time (and then stops it).
 *
 * @example const s = await startNode({ name: 'sesame', args: [...sesameArgs(), 'serve'], ready: 'sesame listening' });
 */
export async function startNode(options: StartOptions & { args: readonly string[] }): Promise<Started> {
  const started = spawnNode(options.args, options);
  const timeoutMs = options.timeoutMs ?? START_DEADLINE_MS;
  try {
    if (options.readyUrl !== undefined) {
      await waitForOk(options.readyUrl, { timeoutMs, process: started });
    } else if (options.ready !== undefined) {
      await untilPrinted(started, options.ready, timeoutMs);
    }
  } catch (error) {
    await started.stop();
    throw new Error(`${options.name} did not start: ${(error as Error).message}\n${started.output()}`);
  }
  return started;
}

/**
 * Resolves once the process has printed `ready`; rejects if it exits first or after `timeoutMs`.
 *
 * @example await untilPrinted(spawnNode(args), 'sesame listening');
 */
export function untilPrinted(
  started: Started,
  ready: RegExp | string,
  timeoutMs = START_DEADLINE_MS,
): Promise<void> {
  const { child } = started;
  const seen = () =>
    typeof ready === 'string' ? started.output().includes(ready) : ready.test(started.output());
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', exited);
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      if (seen()) done();
    };
    const exited = () =>
      done(new Error(`exited (${child.exitCode ?? child.signalCode}) before it was ready`));
    const timer = setTimeout(() => done(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', exited);
    if (child.exitCode !== null || child.signalCode !== null) exited();
    else check();
  });
}

/** What a finished process printed and how it ended. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ...args` to completion.
 *
 * @example const { code, stdout } = await runNode([CLI, 'users', 'list', '--json']);
 */
export function runNode(
  args: readonly string[],
  options: Omit<SpawnOptions, 'inherit' | 'logFile'> = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.cleanEnv ? options.env : { ...process.env, ...options.env },
      stdio: 'pipe',
    });
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
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Runs `node ...args` and resolves with its stdout; rejects with its stderr unless it exits 0.
 *
 * @example const help = await runNodeOk([CLI, 'serve', '--help']);
 */
export async function runNodeOk(
  args: readonly string[],
  options: Omit<SpawnOptions, 'inherit' | 'logFile'> = {},
): Promise<string> {
  const result = await runNode(args, options);
  if (result.code !== 0) throw new Error(`node ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

/**
 * A port nobody listens on right now (on 127.0.0.1).
 *
 * @example const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Waits until `url` answers 200; fails at once when `process` exits first, or after `timeoutMs`.
 *
 * @example await waitForOk(`http://127.0.0.1:${port}/health`, { process: server });
 */
export async function waitForOk(
  url: string,
  options: { timeoutMs?: number; process?: Started } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? START_DEADLINE_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const child = options.process?.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${url}: the process exited (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Checks `check` until it holds and returns how long that took; fails after `timeoutMs`. For an
 * event seen only from outside (another process's state): a bound on failure, not a timing claim.
 *
 * @example await eventually(async () => (await fetch(url)).status === 401, 10_000);
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - start;
}
