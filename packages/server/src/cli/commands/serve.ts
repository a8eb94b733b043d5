import type { Command } from 'commander';
import { buildApp } from '../../app.js';
import { createServices } from '../../wiring.js';
import { commandConfig, withStoreOptions } from '../context.js';
import { CommandError } from '../failure.js';
import { firstStart, firstStartBanner } from '../first-start.js';
import { openConfiguredStore } from '../open-store.js';
import { announceListening, serveWorkers } from '../workers.js';

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
        throw new CommandError(`cannot listen on ${config.host}:${config.port}${code ? ` (${code})` : ''}`);
      }
      // Handlers first: whoever reads the line below may signal at once.
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) {
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
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
      // Printed on stdout, not through the logger: logs never carry a password.
      if (created) process.stdout.write(firstStartBanner(created, config));
      announceListening(config);
    });
}
