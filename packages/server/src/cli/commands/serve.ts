import cluster from 'node:cluster';
import type { Command } from 'commander';
import { buildApp } from '../../app.js';
import type { SesameConfig } from '../../config.js';
import { createServices } from '../../wiring.js';
import { commandConfig, withStoreOptions } from '../context.js';
import { failureLine, unavailable } from '../failure.js';
import { firstStart, firstStartBanner } from '../first-start.js';
import { openConfiguredStore } from '../open-store.js';
import { announceListening, endWorker, serveWorkers, stopSignals } from '../workers.js';

interface ServeOptions {
  dataDir?: string;
  config?: string;
  port?: string;
  host?: string;
  workers?: string;
}

/**
 * `sesame serve`: opens the store, runs first-start set-up, listens. SIGTERM/SIGINT: stop
 * accepting, let in-flight requests finish (app.close), stop the key rotation, close the store.
 */
export function registerServe(program: Command): void {
  withStoreOptions(program.command('serve'))
    .description('run the token server')
    .option('--port <port>', 'port (default 8080, or SESAME_PORT)')
    .option('--host <host>', 'address (default 127.0.0.1, or SESAME_HOST)')
    .option('--workers <n>', 'processes sharing the port (default one per CPU core, or SESAME_WORKERS)')
    .action(async (options: ServeOptions) => {
      const config = commandConfig(options, {
        port: options.port,
        host: options.host,
        workers: options.workers,
      });
      // The cluster primary prepares the store once, forks and supervises; workers go on below.
      if (await serveWorkers(config)) return;
      await serveOne(config).catch((error: unknown) => {
        // A worker's IPC channel would keep a failed worker alive, and the primary waiting on it.
        if (!cluster.isWorker) throw error;
        process.stderr.write(`${failureLine(error)}\n`);
        process.exit(1);
      });
    });
}

/** One serving process: the only one, or a cluster worker. */
async function serveOne(config: SesameConfig): Promise<void> {
  const store = await openConfiguredStore(config);
  const setup = await createServices({ config, store, now: Date.now, rotateKeys: false });
  const created = await firstStart(setup, store).finally(() => setup.close());
  const app = await buildApp({ config, store });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw unavailable(
      code === 'EADDRINUSE' ? 'ERR_PORT_IN_USE' : 'ERR_LISTEN',
      `cannot listen on ${config.host}:${config.port}${code ? ` (${code})` : ''}`,
    );
  }
  // Handlers first: whoever reads the line below may signal at once.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A worker's second signal is the group's copy of the primary's: the primary escalates.
      if (cluster.isWorker) return;
      process.stderr.write(`sesame: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    try {
      await app.close();
      await store.close();
      process.exitCode = 0;
    } catch (error) {
      process.stderr.write(`sesame: shutdown failed: ${(error as Error).message.split('\n')[0]}\n`);
      process.exitCode = 1;
    }
    endWorker();
  };
  for (const signal of stopSignals()) process.on(signal, () => void stop(signal));
  // Printed on stdout, not through the logger: logs never carry a password.
  if (created) process.stdout.write(firstStartBanner(created, config));
  announceListening(config);
}
