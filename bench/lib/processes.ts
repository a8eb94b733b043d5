/**
 * Starting the processes a benchmark measures: each target runs in its own process, so the load
 * generator (autocannon, in the benchmark's process) never shares an event loop with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The tsx loader, for targets written in TypeScript (the benchmark's own helper processes). */
export const TSX_IMPORT = ['--import', 'tsx'];

/** A port nobody listens on right now. */
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

export interface Started {
  child: ChildProcess;
  pid: number;
  /** Everything written to stdout and stderr so far (the last 64 KiB). */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** For messages. */
  name: string;
  args: readonly string[];
  env?: Record<string, string | undefined>;
  /** Resolved once stdout has printed a line matching this (without `logFile`). */
  ready?: RegExp;
  timeoutMs?: number;
  /** Text written to stdin, which is then closed. */
  stdin?: string;
  /**
   * Send stdout and stderr to this file instead of keeping them (a server logging every request
   * would otherwise make the benchmark's own process read its logs); readiness is then `readyUrl`.
   */
  logFile?: string;
  /** With `logFile`: ready once this URL answers 200. */
  readyUrl?: string;
}

/** Starts `node ...args` and waits for its ready line. */
export async function startNode(options: StartOptions): Promise<Started> {
  const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...options.args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: log === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', log, log],
  });
  if (log !== undefined) closeSync(log);
  child.stdin!.end(options.stdin ?? '');
  let output = '';
  const keep = (chunk: string) => {
    output += chunk;
    if (output.length > 65_536) output = output.slice(-65_536);
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  if (log !== undefined) {
    const file = options.logFile!;
    const read = () => readFileSync(file, 'utf8').slice(-65_536);
    try {
      await waitForOk(options.readyUrl!, options.timeoutMs ?? 30_000, () => child.exitCode !== null);
    } catch (error) {
      await stop();
      throw new Error(`${options.name} did not start: ${(error as Error).message}\n${read()}`);
    }
    return { child, pid: child.pid!, output: read, stop };
  }
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  let onExit: ((code: number | null, signal: string | null) => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not start in time:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = () => {
      if (options.ready!.test(output)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${code ?? signal}) before it was ready:\n${output}`));
    };
    child.once('exit', onExit);
  });
  child.off('exit', onExit!);
  return { child, pid: child.pid!, output: () => output, stop };
}

/** Runs `node ...args` to completion; resolves with stdout, rejects with the output on failure. */
export function runNode(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdin.end(options.stdin ?? '');
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`node ${args.join(' ')} failed (${code}):\n${stderr}`)),
    );
  });
}

/** The resident set size of a process in bytes (Linux /proc), or undefined when it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** The direct children of a process (Linux /proc), e.g. the workers of a cluster primary. */
export function childPids(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/** Waits until `url` answers 200 (or throws after `timeoutMs`). */
export async function waitForOk(url: string, timeoutMs = 15_000, gone?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone?.()) throw new Error('the process exited');
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * CPU time used so far by a process, all its threads, in seconds (Linux /proc: utime + stime at
 * 100 ticks a second), or undefined when it is gone.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
