/**
 * Opening the metrics port for `sesame serve` (metricsPort, docs/operations.md): in a single
 * process, that process's metrics; with workers, the primary's sum of theirs. A port that cannot
 * be listened on stops the start with one line, as the public port does.
 */
import type { SesameConfig } from '../config/config.js';
import { envName } from '../config/config.js';
import { type Exposition, listenMetrics, type MetricsEndpoint } from '../metrics/endpoint.js';
import { unavailable } from './failure.js';

/**
 * Listens on the metrics port when one is configured (undefined when metricsPort is 0).
 *
 * @example const endpoint = await openMetricsPort(config, processMetrics(metrics)); ... await endpoint?.close();
 */
export async function openMetricsPort(
  config: SesameConfig,
  render: () => Promise<Exposition>,
): Promise<MetricsEndpoint | undefined> {
  if (config.metricsPort === 0) return undefined;
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
