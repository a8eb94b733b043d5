/**
 * The audit webhook of a serving process (auditWebhookUrl, docs/operations.md): the sink over the
 * store's trail and cursor, posting to the configured URL. One process per server delivers: the
 * only one, or with workers the one the primary names (cli/workers.ts), so a batch is not sent
 * once per worker.
 */
import type { SesameConfig } from '../config/config.js';
import type { Store } from '../store/types.js';
import { type AuditSink, createAuditSink, type SinkMetrics } from './sink.js';
import { webhookPost } from './webhook.js';

/** The name of the webhook's position in the trail (audit_cursors). */
export const WEBHOOK_CURSOR = 'webhook';

/**
 * Starts delivering, or answers undefined when auditWebhookUrl is empty.
 *
 * @example const sink = startAuditWebhook({ config, store, metrics: metrics?.auditSink }); ... await sink?.close();
 */
export function startAuditWebhook(options: {
  config: SesameConfig;
  store: Pick<Store, 'listAuditEvents' | 'getAuditCursor' | 'advanceAuditCursor'>;
  metrics?: SinkMetrics;
  log?: (message: string) => void;
  now?: () => number;
}): AuditSink | undefined {
  const { config, store } = options;
  if (config.auditWebhookUrl === '') return undefined;
  const sink = createAuditSink({
    source: {
      list: (afterId, limit) => store.listAuditEvents({ afterId, limit }),
      cursor: () => store.getAuditCursor(WEBHOOK_CURSOR),
      advance: (lastId, at) => store.advanceAuditCursor(WEBHOOK_CURSOR, lastId, at),
    },
    post: webhookPost({
      url: config.auditWebhookUrl,
      secret: config.auditWebhookSecret,
      timeoutMs: config.auditWebhookTimeout,
    }),
    batchSize: config.auditWebhookBatchSize,
    intervalMs: config.auditWebhookInterval,
    now: options.now ?? Date.now,
    metrics: options.metrics,
    log: options.log,
  });
  sink.start();
  return sink;
}
