/**
 * `sesame serve --workers N`: N processes sharing one port through node:cluster (the primary
 * accepts, workers serve). Every worker opens its own store — the SQLite file (WAL lets them share
 * it) or a PostgreSQL pool of its own — and needs nothing from the others: the state is in the
 * store (and Redis). What must happen once happens in the primary, before any worker exists:
 * migrations and the first signing keys; the first-start admin and its banner come once every
 * worker listens, so a start that fails makes no password nobody saw. Later key rotations are
 * compare-and-set steps in the store, so workers racing on them cannot both win.
 *
 * The primary owns the workers' lifecycle: a worker ignores SIGINT (Ctrl-C reaches the whole
 * process group, and the primary answers it with one SIGTERM per worker), keeps its IPC channel
 * referenced for its whole life (cluster's listen handshake and every connection hand-off go over
 * it) and ends itself explicitly once closed (endWorker).
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { SesameConfig } from '../config/config.js';
import { openConfiguredStore } from '../open-store.js';
import { createServices } from '../wiring.js';
import type { CliError } from './failure.js';
import { unavailable } from './failure.js';
import { firstStartBanner, firstStartOn } from './first-start.js';
import { openWorkersMetricsPort } from './metrics-port.js';
import { markServing } from './serve-marker.js';
import { reportedFailure } from './worker-failure.js';

const READY = 'sesame:listening';
/** The primary's word to the one worker that runs the audit sinks (audit-sink/start.ts). */
export const AUDIT_SINK_ROLE = 'sesame:audit-sink';
/** More crashes than this within a minute means something is wrong for good: stop, do not loop. */
const MAX_RESTARTS_PER_MINUTE = 5;
/**
 * A worker still running this long after SIGTERM, beyond its own shutdownDelay and shutdownGrace,
 * is killed: a stop must end.
 */
const STOP_GRACE_MS = 5_000;

/** How many processes serve: the configured number, or one per CPU core. */
export function workerCount(config: SesameConfig): number {
  return config.workers > 0 ? config.workers : availableParallelism();
}

/**
 * True for the errors of writing to a worker that has already gone (its pipe is closed): cluster
 * may still answer a dead worker's listen request. The worker's 'exit' event follows and is what
 * the primary acts on, so these are expected, never fatal.
 *
 * @example worker.on('error', (e) => { if (!isGoneWorkerError(e)) log(e); });
 */
export function isGoneWorkerError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_IPC_CHANNEL_CLOSED' || code === 'ECONNRESET';
}

/**
 * The primary's stop decisions. A stop may be asked by a signal the primary receives or decided
 * inside (a worker killed by a stop signal while starting, a crash loop, a failed start). Only a
 * second signal escalates to killing everything: a Ctrl-C reaches every process of the group, so a
 * worker still loading may die of it and be reported before the primary's own copy is handled; that
 * copy is the same request, not a second one (taking it for one made a plain Ctrl-C exit 1).
 *
 * @example const gate = stopGate(); if (gate.signal() === 'kill') process.exit(1);
 */
export function stopGate() {
  let stopping = false;
  let signals = 0;
  return {
    /** A stop signal received by the primary: 'stop' (begin), 'ignore' (already stopping), 'kill'. */
    signal(): 'stop' | 'ignore' | 'kill' {
      if (++signals > 1) return 'kill';
      if (stopping) return 'ignore';
      stopping = true;
      return 'stop';
    },
    /** A stop decided inside the primary: 'stop' (begin) or 'ignore' (already stopping). */
    internal(): 'stop' | 'ignore' {
      if (stopping) return 'ignore';
      stopping = true;
      return 'stop';
    },
    get stopping(): boolean {
      return stopping;
    },
  };
}

function isStopSignal(signal: string | null): boolean {
  return signal === 'SIGTERM' || signal === 'SIGINT';
}

/**
 * The signals a serving process stops on. A worker leaves SIGINT to the primary: taking the
 * terminal's copy too made it see two stop signals and exit 1 on a plain Ctrl-C.
 */
export function stopSignals(): NodeJS.Signals[] {
  return cluster.isWorker ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'];
}

/**
 * Ends a worker once its server and store are closed. The IPC channel stays referenced to the end
 * (it carries cluster's listen handshake and the connections), so the worker cannot drain out by
 * itself: it exits here, with the code its shutdown set. A single process just drains.
 *
 * @example await app.close(); await store.close(); endWorker();
 */
export function endWorker(): void {
  if (cluster.isWorker) process.exit(process.exitCode ?? 0);
}

/**
 * In a multi-worker `serve`, the primary's whole job: prepare, fork, supervise; resolves true once
 * the workers run (the caller then returns). False in a worker or with one worker: serve normally.
 *
 * @example if (await serveWorkers(config)) return; // primary: the workers serve
 */
export async function serveWorkers(config: SesameConfig): Promise<boolean> {
  if (cluster.isWorker) {
    // From the first moment: a Ctrl-C while starting is the primary's to handle (stopSignals).
    process.on('SIGINT', () => undefined);
    return false;
  }
  const count = workerCount(config);
  if (count <= 1) return false;

  const store = await openConfiguredStore(config, { withoutRedis: true });
  try {
    await (await createServices({ config, store, now: Date.now, rotateKeys: false })).close();
  } finally {
    await store.close();
  }
  // The primary serves the metrics port: the workers' metrics, summed (metrics/cluster.ts).
  const metricsPort = await openWorkersMetricsPort(config);
  markServing(config); // the primary, for the workers' whole life

  const gate = stopGate();
  const restarts: number[] = [];
  let sinkWorker: number | undefined;
  const fork = (): Worker =>
    cluster.fork().on('error', (error) => {
      if (isGoneWorkerError(error)) return;
      process.stderr.write(
        `sesame: worker channel error (${(error as NodeJS.ErrnoException).code ?? 'unknown'})\n`,
      );
    });
  const listening = new Promise<void>((ready, fail) => {
    let up = 0;
    const reported = new Map<number, CliError>();
    cluster.on('message', (worker, message) => {
      // One worker runs the audit sinks: the first that listens, then its replacement's
      // successor, the next one to listen after it is gone.
      const sinks = config.auditWebhookUrl !== '' || config.auditLog;
      if (message === READY && sinks && sinkWorker === undefined) {
        sinkWorker = worker.id;
        worker.send(AUDIT_SINK_ROLE);
      }
      if (message === READY && ++up === count) ready();
      const failure = reportedFailure(message);
      if (failure) reported.set(worker.id, failure);
    });
    cluster.on('exit', (worker, code, signal) => {
      if (worker.id === sinkWorker) sinkWorker = undefined;
      if (gate.stopping) return;
      // A stop signal that reached a worker first (Ctrl-C goes to the whole group, the primary may
      // be busy forking): the group is being stopped, not failing.
      if (up < count && isStopSignal(signal)) return void stopAll(`${signal} while starting`, 0);
      if (up < count) {
        const failed = () =>
          fail(
            reported.get(worker.id) ??
              unavailable('ERR_WORKER_START', `a worker stopped while starting (exit ${code ?? signal})`),
          );
        // Its report may still be in the channel when the exit is seen; the channel closes after it.
        if (worker.isConnected()) worker.once('disconnect', failed);
        else failed();
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        process.stderr.write('sesame: workers keep crashing; stopping\n');
        void stopAll('crash loop', 1);
        return;
      }
      process.stderr.write(
        `sesame: worker ${worker.process.pid} exited (${code ?? signal}); starting another\n`,
      );
      fork();
    });
  });

  const stopAll = async (
    reason: string,
    exitCode: number,
    decision: 'stop' | 'ignore' | 'kill' = gate.internal(),
    quiet = false,
  ) => {
    if (decision === 'kill') {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    if (decision === 'ignore') return;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    if (!quiet) process.stderr.write(`sesame: ${reason}: stopping ${workers.length} worker(s)\n`);
    // A worker killed by a stop signal before it could install its handler (still starting)
    // stopped as asked: that is a clean stop too.
    const exits = workers.map(
      (worker) =>
        new Promise<number>((done) =>
          worker.on('exit', (code, signal) => done(isStopSignal(signal) ? 0 : (code ?? 1))),
        ),
    );
    for (const worker of workers) worker.process.kill('SIGTERM');
    const kill = setTimeout(
      () => {
        for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
      },
      config.shutdownDelay + config.shutdownGrace + STOP_GRACE_MS,
    ).unref();
    const codes = await Promise.all(exits);
    clearTimeout(kill);
    await metricsPort?.close();
    process.exitCode = exitCode || (codes.every((code) => code === 0) ? 0 : 1);
  };
  process.on('SIGTERM', () => void stopAll('SIGTERM', 0, gate.signal()));
  process.on('SIGINT', () => void stopAll('SIGINT', 0, gate.signal()));

  for (let i = 0; i < count; i++) fork();
  try {
    await listening;
  } catch (error) {
    // The failure is the one line printed (main.ts): the port in use, the store down.
    await stopAll('start failed', 1, gate.internal(), true);
    throw error;
  }
  const created = await firstStartOn(config);
  if (created) process.stdout.write(firstStartBanner(created, config));
  if (!gate.stopping) announceListening(config, count);
  return true;
}

/** The ready line: printed by a single process or the primary; a worker tells the primary instead. */
export function announceListening(config: SesameConfig, workers = 1): void {
  if (cluster.isWorker) {
    process.send?.(READY);
    return;
  }
  const shared = workers > 1 ? `, ${workers} workers` : '';
  process.stdout.write(`sesame listening on ${config.issuer} (docs: ${config.issuer}/docs${shared})\n`);
}
