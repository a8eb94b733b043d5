/**
 * Metrics with `--workers N`: each worker counts in its own registry and the primary, which serves
 * the metrics port, asks every worker for its metrics over the cluster's IPC channel and answers
 * their sum (prom-client's AggregatorRegistry; gauges say how they combine: the subscribers add
 * up, the store is up only if every worker reaches it). prom-client's messages are objects typed
 * `prom-client:getMetricsReq`/`…Res`; the primary's own messages (workers.ts: the ready string, a
 * start failure `{ type: 'sesame:failed' }`) are left to their listeners and ignored by its.
 */
import { AggregatorRegistry } from 'prom-client';
import type { Exposition } from './endpoint.js';
import type { ServerMetrics } from './registry.js';

/**
 * In a worker: answers the primary's requests with this registry (instead of prom-client's
 * global one). Call before the worker says it listens, so no scrape finds it silent.
 *
 * @example const metrics = createMetrics(); reportToPrimary(metrics);
 */
export function reportToPrimary(metrics: ServerMetrics): void {
  AggregatorRegistry.setRegistries([metrics.registry]);
}

/**
 * In the primary: the workers' metrics, summed. A worker that does not answer within 5 s (one
 * being replaced) fails that scrape; the next one asks the workers then alive.
 *
 * @example await listenMetrics({ ...where, render: workersMetrics() });
 */
export function workersMetrics(): () => Promise<Exposition> {
  const aggregator = new AggregatorRegistry();
  return async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() });
}

/**
 * In a single process: its own registry.
 *
 * @example await listenMetrics({ ...where, render: processMetrics(metrics) });
 */
export function processMetrics(metrics: ServerMetrics): () => Promise<Exposition> {
  return async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() });
}
