import cluster from 'node:cluster';
import type { Command } from 'commander';
import { buildApp } from '../../app.js';
import type { AuditSink } from '../../audit-sink/sink.js';
import { startAuditLog, startAuditWebhook } from '../../audit-sink/start.js';
import type { SesameConfig } from '../../config/config.js';
import { settingsHelp } from '../../config/describe.js';
import type { MetricsEndpoint } from '../../metrics/endpoint.js';
import { openConfiguredStore } from '../../open-store.js';
import { type TracingSettings, tracingSettings } from '../../tracing/settings.js';
import type { Tracing } from '../../tracing/start.js';
import { commandConfig, withStoreOptions } from '../context.js';
import { unavailable } from '../failure.js';
import { type FirstStartResult, firstStartBanner, runFirstStart } from '../first-start.js';
import { countMetrics, openProcessMetricsPort } from '../metrics-port.js';
import { markServing } from '../serve-marker.js';
import { failWorker } from '../worker-failure.js';
import { AUDIT_SINK_ROLE, announceListening, endWorker, serveWorkers, stopSignals } from '../workers.js';

interface ServeOptions {
  dataDir?: string;
  config?: string;
  port?: string;
  host?: string;
  workers?: string;
}

/**
 * `sesame serve`: opens the store, listens, then runs first-start set-up. SIGTERM/SIGINT: stop
 * accepting, let in-flight requests finish (app.close), stop the key rotation, close the store.
 */
export function registerServe(program: Command): void {
  withStoreOptions(program.command('serve'))
    .description('run the token server')
    .option('--port <port>', 'port (default 8080, or SESAME_PORT)')
    .option('--host <host>', 'address (default 127.0.0.1, or SESAME_HOST)')
    .option('--workers <n>', 'processes sharing the port (default one per CPU core, or SESAME_WORKERS)')
    .addHelpText('after', settingsHelp())
    .action(async (options: ServeOptions) => {
      const config = commandConfig(options, {
        port: options.port,
        host: options.host,
        workers: options.workers,
      });
      // OTEL_* read once, before forking: a setting Sesame cannot honour stops the start once.
      const traces = tracingSettings(process.env);
      // The cluster primary prepares the store once, forks and supervises; workers go on below.
      if (await serveWorkers(config)) return;
      await serveOne(config, traces).catch((error: unknown) => {
        if (!cluster.isWorker) throw error;
        // The primary prints it, once for the group, and exits; this worker ends at once (its IPC
        // channel would keep it alive, and the primary waiting on it).
        failWorker(error);
      });
    });
}

/** The one-line failure of a listen: a port in use says how to choose another. */
export function listenFailure(config: SesameConfig, error: unknown) {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `cannot listen on ${config.host}:${config.port}${code ? ` (${code})` : ''}`;
  if (code === 'EADDRINUSE') {
    return unavailable(
      'ERR_PORT_IN_USE',
      `${where}: the port is in use; choose another with --port or SESAME_PORT`,
    );
  }
  return unavailable('ERR_LISTEN', where);
}

/**
 * One serving process: the only one, or a cluster worker. The first-start admin is made only once
 * the port is ours (a single process), or by the primary once every worker listens (workers.ts):
 * a start that fails never makes a password nobody saw.
 */
async function serveOne(config: SesameConfig, traces: TracingSettings | undefined): Promise<void> {
  // A worker answers the primary's scrapes from its first moment (metrics/cluster.ts).
  const metrics = await countMetrics(config);
  // The SDK is loaded only when OTEL_* asks for traces (tracing/start.ts); each process exports its own.
  const tracing: Tracing | undefined = traces
    ? await (await import('../../tracing/start.js')).startTracing(traces)
    : undefined;
  // The first worker speaks for the group about Redis at start; each tells its own changes later.
  const store = await openConfiguredStore(config, {
    announceRedisStart: !cluster.isWorker || cluster.worker?.id === 1,
    tracing: tracing !== undefined,
  });
  if (!cluster.isWorker) markServing(config); // a worker's primary marked it
  const app = await buildApp({ config, store, metrics, tracing: tracing !== undefined });
  let metricsPort: MetricsEndpoint | undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await store.close();
    throw listenFailure(config, error);
  }
  // With workers, the primary serves the metrics port (workers.ts).
  if (!cluster.isWorker) {
    try {
      metricsPort = await openProcessMetricsPort(config, metrics);
    } catch (error) {
      await app.close();
      await store.close();
      throw error;
    }
  }
  // The audit sinks: here in a single process; with workers, in the one the primary names.
  let sink: AuditSink | undefined;
  let auditLog: AuditSink | undefined;
  const deliverAudit = () => {
    sink ??= startAuditWebhook({
      config,
      store,
      metrics: metrics?.auditSink,
      log: (message) => app.log.warn(message),
    });
    // Level info whatever logLevel: the operator asked for these lines.
    auditLog ??= startAuditLog({ config, store, log: app.log.child({}, { level: 'info' }) });
  };
  if (!cluster.isWorker) deliverAudit();
  else process.on('message', (message) => message === AUDIT_SINK_ROLE && deliverAudit());
  // The first-start set-up, awaited by a stop that comes meanwhile: the password it makes is printed.
  const setUp = cluster.isWorker ? Promise.resolve(undefined) : runFirstStart(config, store);
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
    // Not ready first: a load balancer polling /readyz stops sending while this still serves.
    app.sesame.health.beginStopping();
    app.log.info({ signal, delayMs: config.shutdownDelay }, 'shutting down');
    try {
      await setUp.catch(() => undefined);
      if (config.shutdownDelay > 0) await new Promise((done) => setTimeout(done, config.shutdownDelay));
      // app.close stops accepting, ends the revocation streams (their readers reconnect to another
      // instance), and waits for requests in flight; past the grace, their connections are cut.
      const deadline = setTimeout(() => {
        app.log.warn(
          { graceMs: config.shutdownGrace },
          'requests still in flight: closing their connections',
        );
        app.server.closeAllConnections();
      }, config.shutdownGrace);
      await app.close();
      clearTimeout(deadline);
      // The batch under way finishes; what is left is sent by the next start (the stored position).
      await sink?.close();
      await auditLog?.close();
      // Scraped until the public port closed: the stop itself shows in the metrics.
      await metricsPort?.close();
      // Last: every audit event of the finished requests was written through it.
      await store.close();
      // The spans of the last requests and of the store's closing go out before the process ends.
      await tracing?.shutdown();
      process.exitCode = 0;
    } catch (error) {
      process.stderr.write(`sesame: shutdown failed: ${(error as Error).message.split('\n')[0]}\n`);
      process.exitCode = 1;
    }
    endWorker();
  };
  for (const signal of stopSignals()) process.on(signal, () => void stop(signal));
  let created: FirstStartResult | undefined;
  try {
    created = await setUp;
  } catch (error) {
    if (!stopping) {
      await app.close();
      await sink?.close();
      await auditLog?.close();
      await metricsPort?.close();
      await store.close();
    }
    throw error;
  }
  // Printed on stdout, not through the logger: logs never carry a password.
  if (created) process.stdout.write(firstStartBanner(created, config));
  if (!stopping) announceListening(config);
}
