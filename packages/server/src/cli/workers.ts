/**
 * `sesame serve --workers N`: N processes sharing one port through node:cluster (the primary
 * accepts, workers serve). Every worker opens its own store — the SQLite file (WAL lets them share
 * it) or a PostgreSQL pool of its own — and needs nothing from the others: the state is in the
 * store (and Redis). What must happen once happens in the primary, before any worker exists:
 * migrations, the first signing keys, the first-start admin and its banner. Later key rotations are
 * compare-and-set steps in the store, so workers racing on them cannot both win.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { SesameConfig } from '../config.js';
import { createServices } from '../wiring.js';
import { CommandError } from './failure.js';
import { firstStart, firstStartBanner } from './first-start.js';
import { openConfiguredStore } from './open-store.js';

const READY = 'sesame:listening';
/** More crashes than this within a minute means something is wrong for good: stop, do not loop. */
const MAX_RESTARTS_PER_MINUTE = 5;

/** How many processes serve: the configured number, or one per CPU core. */
export function workerCount(config: SesameConfig): number {
  return config.workers > 0 ? config.workers : availableParallelism();
}

/**
 * In a multi-worker `serve`, the primary's whole job: prepare, fork, supervise; resolves true once
 * the workers run (the caller then returns). False in a worker or with one worker: serve normally.
 *
 * @example if (await serveWorkers(config)) return; // primary: the workers serve
 */
export async function serveWorkers(config: SesameConfig): Promise<boolean> {
  if (cluster.isWorker) return false;
  const count = workerCount(config);
  if (count <= 1) return false;

  const store = await openConfiguredStore(config, { withoutRedis: true });
  let created: Awaited<ReturnType<typeof firstStart>>;
  try {
    const setup = await createServices({ config, store, now: Date.now, rotateKeys: false });
    created = await firstStart(setup, store).finally(() => setup.close());
  } finally {
    await store.close();
  }

  let stopping = false;
  const restarts: number[] = [];
  const fork = (): Worker => cluster.fork();
  const listening = new Promise<void>((ready, fail) => {
    let up = 0;
    cluster.on('message', (_worker, message) => {
      if (message === READY && ++up === count) ready();
    });
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      if (up < count)
        return fail(new CommandError(`a worker stopped while starting (exit ${code ?? signal})`));
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

  const stopAll = async (reason: string, exitCode: number) => {
    if (stopping) {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(
      `sesame: ${reason}: stopping ${Object.keys(cluster.workers ?? {}).length} worker(s)\n`,
    );
    const exits = Object.values(cluster.workers ?? {}).map(
      (worker) => new Promise<number>((done) => worker!.on('exit', (code) => done(code ?? 1))),
    );
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const codes = await Promise.all(exits);
    process.exitCode = exitCode || (codes.every((code) => code === 0) ? 0 : 1);
  };
  process.on('SIGTERM', () => void stopAll('SIGTERM', 0));
  process.on('SIGINT', () => void stopAll('SIGINT', 0));

  for (let i = 0; i < count; i++) fork();
  try {
    await listening;
  } catch (error) {
    await stopAll('start failed', 1);
    throw error;
  }
  if (created) process.stdout.write(firstStartBanner(created, config));
  announceListening(config, count);
  return true;
}

/** The ready line: printed by a single process or the primary; a worker tells the primary instead. */
export function announceListening(config: SesameConfig, workers = 1): void {
  if (cluster.isWorker) {
    process.send?.(READY);
    // From now on the IPC channel must not keep the worker alive: once its server and store close
    // (SIGTERM), it exits like a single process does. (Before listening it must: the primary's
    // answer to listen() comes over it.)
    process.channel?.unref();
    return;
  }
  const shared = workers > 1 ? `, ${workers} workers` : '';
  process.stdout.write(`sesame listening on ${config.issuer} (docs: ${config.issuer}/docs${shared})\n`);
}
