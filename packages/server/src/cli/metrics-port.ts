/**
 * The metrics of `sesame serve` (metricsPort, docs/operations.md): counting in every serving
 * process, and the metrics port — in a single process, that process's metrics; with workers, the
 * primary's sum of theirs. A port that cannot be listened on stops the start with one line, as the
 * public port does. prom-client is loaded only when the port is on: other commands, and a server
 * without metrics, never load it.
 */
import cluster from 'node:cluster';
import type { SesameConfig } from '../config/config.js';
import { envName } from '../config/config.js';
import { type Exposition, listenMetrics, type MetricsEndpoint } from '../metrics/endpoint.js';
import type { ServerMetrics } from '../metrics/registry.js';
import { unavailable } from './failure.js';

/**
 * This process's metrics when the port is on (undefined when off); a worker answers the primary's
 * scrapes with them from now on (metrics/cluster.ts).
 *
 * @example const metrics = await countMetrics(config); const app = await buildApp({ config, store, metrics });
 */
export async function countMetrics(config: SesameConfig): Promise<ServerMetrics | undefined> {
  if (config.metricsPort === 0) return undefined;
  const { createMetrics } = await import('../metrics/registry.js');
  const metrics = createMetrics();
  if (cluster.isWorker) (await import('../metrics/cluster.js')).reportToPrimary(metrics);
  return metrics;
}

/**
 * The metrics port of a single process, serving `metrics` (undefined when the port is off).
 *
 * @example const endpoint = await openProcessMetricsPort(config, metrics); ... await endpoint?.close();
 */
export async function openProcessMetricsPort(
  config: SesameConfig,
  metrics: ServerMetrics | undefined,
): Promise<MetricsEndpoint | undefined> {
  if (metrics === undefined) return undefined;
  const { processMetrics } = await import('../metrics/cluster.js');
  return openMetricsPort(config, processMetrics(metrics));
}

/**
 * The primary's metrics port, serving the workers' sum (undefined when the port is off).
 *
 * @example const endpoint = await openWorkersMetricsPort(config); ... await endpoint?.close();
 */
export async function openWorkersMetricsPort(config: SesameConfig): Promise<MetricsEndpoint | undefined> {
  if (config.metricsPort === 0) return undefined;
  const { workersMetrics } = await import('../metrics/cluster.js');
  return openMetricsPort(config, workersMetrics());
}

/** Listens on the metrics port; a failure is the one line of a CLI error. */
async function openMetricsPort(
  config: SesameConfig,
  render: () => Promise<Exposition>,
): Promise<MetricsEndpoint> {
  try {
    return await listenMetrics({
      host: config.metricsHost,
      port: config.metricsPort,
      token: config.metricsToken,
      render,
      warn: (message, error) =>
        process.stderr.write(`sesame: ${message}: ${(error as Error).message?.split('\n')[0] ?? 'failed'}\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `cannot listen on ${config.metricsHost}:${config.metricsPort} for /metrics${code ? ` (${code})` : ''}`;
    if (code === 'EADDRINUSE')
      throw unavailable(
        'ERR_PORT_IN_USE',
        `${where}: the port is in use; choose another with ${envName('metricsPort')}`,
      );
    throw unavailable('ERR_LISTEN', where);
  }
}
