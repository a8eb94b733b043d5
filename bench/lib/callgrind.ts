/**
 * Counting instructions instead of seconds: a process run under `valgrind --tool=callgrind`
 * executes the same instructions for the same work whatever else the machine is doing, so a
 * difference of a few percent between two request types can be told apart on a shared, loaded
 * machine where CPU seconds cannot (bench:server's CPU per request moves by more than a
 * signature between runs).
 *
 * Each thread is counted on its own (`--separate-threads=yes`) and only the main thread is kept:
 * it runs the request, and the garbage collector's work on it. V8's optimising compiler runs on
 * helper threads, and only while code still warms up; the collector's concurrent marking runs
 * there too. Both are left out: with them (or with `--single-threaded-gc`), one window of 100
 * requests differed from the next by a third, as a major collection fell in it or not.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

export const NODE_FLAGS: readonly string[] = [];

export interface Counted {
  child: ChildProcess;
  /** Zeroes the counters (`callgrind_control -z`). */
  zero(): void;
  /** Writes the counts since the last zero or dump, labelled (`callgrind_control -d`). */
  dump(label: string): void;
  /**
   * Turns instrumentation on (or off with `false`): the process starts with it off, which runs
   * faster while warming up.
   */
  instrument(on?: boolean): void;
  /**
   * Stops the process (SIGTERM, unless it ended by itself) and returns the main thread's
   * instructions per dump, in order, the last one labelled "Program termination".
   */
  stop(): Promise<{ label: string; instructions: number }[]>;
}

/** True when valgrind and callgrind_control are on the PATH. */
export function hasCallgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `node ...args` under callgrind with instrumentation off, writing into `outFile`.N-TT files.
 *
 * @example const server = startCounted(['dist/cli/main.js', 'serve'], '/tmp/cg/out', {});
 */
export function startCounted(
  args: readonly string[],
  outFile: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; instrumented?: boolean; stdio?: 'pipe' } = {},
): Counted {
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--instr-atstart=${options.instrumented ? 'yes' : 'no'}`,
      '--separate-threads=yes',
      `--callgrind-out-file=${outFile}`,
      process.execPath,
      ...NODE_FLAGS,
      ...args,
    ],
    {
      cwd: options.cwd,
      env: options.env,
      stdio: options.stdio === 'pipe' ? ['pipe', 'pipe', 'pipe'] : ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const control = (...flags: string[]) =>
    execFileSync('callgrind_control', [...flags, String(child.pid)], { stdio: 'ignore' });
  const labels: string[] = [];
  return {
    child,
    zero: () => control('-z'),
    dump(label) {
      labels.push(label);
      control('-d', label);
    },
    instrument: (on = true) => control('-i', on ? 'on' : 'off'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (labels.length === 0 && child.exitCode !== 0 && child.signalCode === null)
        throw new Error(`the counted process failed: ${stderr}`);
      return mainThreadCounts(outFile);
    },
  };
}

/** The main thread's total per dump of a callgrind run (files `out.N-01`), in dump order. */
export function mainThreadCounts(outFile: string): { label: string; instructions: number }[] {
  const dir = dirname(outFile);
  const prefix = `${basename(outFile)}.`;
  // Dumps are `out.N-01`; the end of the program is `out.N-01` after dumps, `out-01` without any.
  const files = readdirSync(dir)
    .filter((name) => name === `${basename(outFile)}-01` || (name.startsWith(prefix) && name.endsWith('-01')))
    .map((name) => ({ name, part: name.startsWith(prefix) ? Number(name.slice(prefix.length, -3)) : 0 }))
    .sort((a, b) => a.part - b.part);
  return files.map(({ name }) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const label =
      /^desc: Trigger: (?:Client Request: |Program termination|dump )?(.*)$/m.exec(text)?.[1] ?? '';
    const total = /^(?:summary|totals): (\d+)/m.exec(text)?.[1];
    if (total === undefined) throw new Error(`${name}: no instruction total`);
    return { label: label || 'Program termination', instructions: Number(total) };
  });
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Polls `url` until it answers 2xx: node under callgrind starts in tens of seconds. */
export async function waitCountedReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 300_000; // node under valgrind starts in tens of seconds
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('the server exited before it was ready');
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} not ready after 300 s under callgrind`);
}

/** The counted benchmarks' flags: a warm-up, pairs of windows, requests per window. */
export interface CountedRun {
  quick: boolean;
  warmup: number;
  pairs: number;
  perWindow: number;
}

/**
 * Reads `--warmup N`, `--pairs N`, `--per-window N` and `--quick` (200 / 2 / 50, no file
 * written), and stops with one line when valgrind is missing or a flag is not a whole number.
 *
 * @example const { quick, warmup, pairs, perWindow } = countedRunFlags('bench:metrics');
 */
export function countedRunFlags(bench: string, args = process.argv.slice(2)): CountedRun {
  const quick = args.includes('--quick');
  const flag = (name: string, fallback: number, quickValue: number) => {
    const at = args.indexOf(name);
    if (at === -1) return quick ? quickValue : fallback;
    const value = Number(args[at + 1]);
    if (!Number.isInteger(value) || value < 1) stop(`${name} takes a whole number of at least 1`);
    return value;
  };
  const stop = (why: string): never => {
    process.stderr.write(`${bench}: ${why}\n`);
    process.exit(2);
  };
  if (!hasCallgrind()) stop('it counts instructions with valgrind: apt-get install valgrind');
  return {
    quick,
    warmup: flag('--warmup', 1000, 200),
    pairs: flag('--pairs', 5, 2),
    perWindow: flag('--per-window', 150, 50),
  };
}

/**
 * The lines a counted process writes to stdout, in order: `next()` resolves with the next one, or
 * undefined once its stdout has closed. `keep` picks the lines that are answers (and may rewrite
 * them); others (a server's request log) are skipped.
 *
 * @example const next = lineReader(counted); if ((await next()) !== 'ready') throw ...
 */
export function lineReader(
  counted: Pick<Counted, 'child'>,
  keep: (line: string) => string | undefined = (line) => line,
): () => Promise<string | undefined> {
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  const reader = createInterface({ input: counted.child.stdout! });
  reader.on('line', (line) => {
    const kept = keep(line);
    if (kept === undefined) return;
    if (waiting.length) waiting.shift()!(kept);
    else lines.push(kept);
  });
  reader.on('close', () => {
    for (const wake of waiting.splice(0)) wake(undefined);
  });
  return () =>
    lines.length
      ? Promise.resolve(lines.shift())
      : new Promise<string | undefined>((wake) => waiting.push(wake));
}
