/**
 * Reading the counters of lib/server-probe.mjs from the benchmark's side: the probe is preloaded
 * into the measured `sesame serve` and answers SIGUSR2 by writing a snapshot to a file. Costs are
 * differences between two snapshots, divided by the requests the server itself counted between them.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';

export interface ProbeSnapshot {
  seq: number;
  cpuMicros: number;
  http: {
    started: number;
    finished: number;
    inFlight: number;
    openStreams: number;
    streamsOpened: number;
    streamBytes: number;
  };
  pg: { statements: number; transactions: number; busyMicros: number };
  redis: Record<string, number>;
  memory: { rss: number; heapUsed: number; external: number };
  gc: boolean;
}

/** The node arguments that load the probe into a process (with a GC it may run before memory readings). */
export const PROBE_NODE_ARGS = ['--expose-gc', '--import', join(ROOT, 'bench/lib/server-probe.mjs')];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Probe {
  /** A snapshot of the server's counters now. */
  read(): Promise<ProbeSnapshot>;
  /** A snapshot once every request but the open feed streams has been answered. */
  settled(): Promise<ProbeSnapshot>;
}

/** The probe of the process `pid`, writing to `file`. */
export function probeOf(pid: number, file: string): Probe {
  // A file left by an earlier process would be taken for this one's answer.
  rmSync(file, { force: true });
  let last = 0;
  const read = async (): Promise<ProbeSnapshot> => {
    process.kill(pid, 'SIGUSR2');
    // The file appears or changes when the server's event loop gets to the signal: a busy loop may
    // take a moment, a dead server never does.
    for (let waited = 0; waited < 30_000; waited += 10) {
      try {
        const snapshot = JSON.parse(readFileSync(file, 'utf8')) as ProbeSnapshot;
        if (snapshot.seq > last) {
          last = snapshot.seq;
          return snapshot;
        }
      } catch {
        // not written yet, or caught half-written
      }
      await pause(10);
    }
    throw new Error('the server probe did not answer within 30 s');
  };
  return {
    read,
    async settled() {
      for (let tries = 0; tries < 500; tries++) {
        const snapshot = await read();
        if (snapshot.http.inFlight - snapshot.http.openStreams <= 0) return snapshot;
        await pause(20);
      }
      throw new Error('requests still in flight after 10 s');
    },
  };
}

/** Removes the probe's scratch folder. */
export function removeProbeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Cost {
  /** Requests the server started between the two snapshots. */
  requests: number;
  cpuMicros: number;
  pgStatements: number;
  pgTransactions: number;
  /** Connection-busy time (see the probe). */
  pgBusyMicros: number;
  redisCommands: Record<string, number>;
  redisTotal: number;
  streamBytes: number;
}

/** What happened in the server between two snapshots. */
export function costBetween(before: ProbeSnapshot, after: ProbeSnapshot): Cost {
  const redisCommands: Record<string, number> = {};
  let redisTotal = 0;
  for (const [name, count] of Object.entries(after.redis)) {
    const delta = count - (before.redis[name] ?? 0);
    if (delta > 0) {
      redisCommands[name] = delta;
      redisTotal += delta;
    }
  }
  return {
    requests: after.http.started - before.http.started,
    cpuMicros: after.cpuMicros - before.cpuMicros,
    pgStatements: after.pg.statements - before.pg.statements,
    pgTransactions: after.pg.transactions - before.pg.transactions,
    pgBusyMicros: after.pg.busyMicros - before.pg.busyMicros,
    redisCommands,
    redisTotal,
    streamBytes: after.http.streamBytes - before.http.streamBytes,
  };
}
