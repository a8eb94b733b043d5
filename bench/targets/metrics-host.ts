/**
 * The counted process of bench/metrics.bench.ts: Sesame apps built from the compiled server as
 * `sesame serve` builds them (buildApp over one store, the default logger on stdout), each on a
 * port of its own, some counting Prometheus metrics (createMetrics, with the default metrics and
 * their event-loop delay monitor, and a metrics port), some not. Requests with metrics and without
 * then run in one process — one heap, one JIT, one store — so the difference between them is the
 * metrics, not two processes that differ in their own ways.
 *
 * Commands, one a line on stdin, each answered on stdout by a line `host {json}`:
 * - `app NAME plain|metrics`: builds an app and listens on 127.0.0.1: `{"app","port","metricsPort"?}`.
 * - `gc`: a full collection (node --expose-gc), so that a window starts with no garbage from the
 *   last one: `{"reloads":N}`.
 * - `reloads`: `{"reloads":N}`, the keyring reloads so far. Each app's keyring reloads its keys from
 *   the store every 30 s by the clock (several million instructions: each public key is imported
 *   again); a window that saw one counts clock work, not requests, and the bench counts it again.
 *
 * Usage: node --expose-gc --import tsx bench/targets/metrics-host.ts DATA_DIR
 */
import { createInterface } from 'node:readline';
import { buildApp, loadConfig, openStore } from '../../packages/server/dist/index.js';
import { processMetrics } from '../../packages/server/dist/metrics/cluster.js';
import { listenMetrics } from '../../packages/server/dist/metrics/endpoint.js';
import { createMetrics } from '../../packages/server/dist/metrics/registry.js';

const dataDir = process.argv[2];
const gc = (globalThis as { gc?: () => void }).gc;
if (dataDir === undefined || gc === undefined) {
  process.stderr.write('usage: node --expose-gc --import tsx bench/targets/metrics-host.ts DATA_DIR\n');
  process.exit(2);
}
const config = loadConfig({ env: process.env, flags: { dataDir } });
const opened = await openStore(config);
let reloads = 0;
// The store as opened, but for the one call a keyring reload makes, counted (nothing else changes).
const store: typeof opened = Object.create(opened, {
  listSigningKeys: {
    value(...args: Parameters<typeof opened.listSigningKeys>) {
      reloads++;
      return opened.listSigningKeys(...args);
    },
  },
});
const answer = (value: object) => process.stdout.write(`host ${JSON.stringify(value)}\n`);

async function app(name: string, kind: string): Promise<object> {
  if (kind !== 'plain' && kind !== 'metrics') throw new Error(`app ${name}: plain or metrics, not ${kind}`);
  const metrics = kind === 'metrics' ? createMetrics() : undefined;
  const built = await buildApp({ config, store, metrics });
  await built.listen({ host: '127.0.0.1', port: 0 });
  const port = (built.server.address() as { port: number }).port;
  if (metrics === undefined) return { app: name, port };
  const endpoint = await listenMetrics({
    host: '127.0.0.1',
    port: 0,
    token: '',
    render: processMetrics(metrics),
  });
  return { app: name, port, metricsPort: endpoint.port };
}

for await (const line of createInterface({ input: process.stdin })) {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === 'gc') {
    gc();
    answer({ reloads });
  } else if (command === 'reloads') {
    answer({ reloads });
  } else if (command === 'app') {
    answer(await app(args[0] ?? '', args[1] ?? ''));
  } else {
    process.stderr.write(`metrics-host: unknown command ${line}\n`);
    process.exit(2);
  }
}
// stdin closed: the bench is done with this process.
process.exit(0);
