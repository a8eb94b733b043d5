/**
 * Starting the processes a benchmark measures: each target runs in its own process, so the load
 * generator (autocannon, in the benchmark's process) never shares an event loop with it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import {
  REPO_ROOT,
  runNodeOk,
  type SpawnOptions,
  type Started,
  type StartOptions,
  startNode as startInRoot,
} from '@sesame/testkit';

export { freePort, type Started } from '@sesame/testkit';

export const ROOT = REPO_ROOT;
/** The tsx loader, for targets written in TypeScript (the benchmark's own helper processes). */
export const TSX_IMPORT = ['--import', 'tsx'];

/** Starts `node ...args` in the repository's root and waits until it is ready (@sesame/testkit). */
export function startNode(options: StartOptions & { args: readonly string[] }): Promise<Started> {
  return startInRoot({ cwd: ROOT, ...options });
}

/** Runs `node ...args` in the repository's root; resolves with stdout, rejects with the output on failure. */
export function runNode(args: readonly string[], options: Omit<SpawnOptions, 'inherit' | 'logFile'> = {}) {
  return runNodeOk(args, { cwd: ROOT, ...options });
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

/**
 * The machine's PostgreSQL and Redis processes (the server, its background workers and every
 * connection's backend): the services a distributed configuration spends CPU in beside its own.
 */
export function servicePids(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (name === 'postgres' || name === 'redis-server') found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
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

const orphans = new Set<number>();

/**
 * Kills the process (SIGKILL) if the benchmark ends without stopping it — a thrown error, Ctrl-C —
 * so that no server or balancer outlives the run. `forget` once it is stopped the ordinary way.
 */
export function killOnExit(pid: number): { forget(): void } {
  if (orphans.size === 0) {
    process.once('exit', () => {
      for (const orphan of orphans) {
        try {
          process.kill(orphan, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  }
  orphans.add(pid);
  return { forget: () => orphans.delete(pid) };
}
