/**
 * The audit sinks of a serving process (docs/operations.md): the webhook (auditWebhookUrl), the
 * sink over the store's trail and its cursor posting to the configured URL, and the log sink
 * (auditLog). One process per server delivers: the
 * only one, or with workers the one the primary names (cli/workers.ts), so a batch is not sent
 * once per worker.
 */
import type { SesameConfig } from '../config/config.js';
import type { AuditRecord } from '../domain/system/audit-record.js';
import type { Store } from '../store/types.js';
import { type AuditSink, createAuditSink, type SinkMetrics } from './sink.js';
import { webhookPost } from './webhook.js';

/** The name of the webhook's position in the trail (audit_cursors). */
export const WEBHOOK_CURSOR = 'webhook';
/** The name of the log sink's position in the trail. */
export const LOG_CURSOR = 'log';

type TrailStore = Pick<Store, 'listAuditEvents' | 'getAuditCursor' | 'advanceAuditCursor'>;

/** The trail and one sink's stored position in it. */
function trail(store: TrailStore, name: string) {
  return {
    list: (afterId: number, limit: number) => store.listAuditEvents({ afterId, limit }),
    cursor: () => store.getAuditCursor(name),
    advance: (lastId: number, at: number) => store.advanceAuditCursor(name, lastId, at),
  };
}

/**
 * Starts delivering, or answers undefined when auditWebhookUrl is empty.
 *
 * @example const sink = startAuditWebhook({ config, store, metrics: metrics?.auditSink }); ... await sink?.close();
 */
export function startAuditWebhook(options: {
  config: SesameConfig;
  store: TrailStore;
  metrics?: SinkMetrics;
  log?: (message: string) => void;
  now?: () => number;
}): AuditSink | undefined {
  const { config, store } = options;
  if (config.auditWebhookUrl === '') return undefined;
  const sink = createAuditSink({
    source: trail(store, WEBHOOK_CURSOR),
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

/** A logger's `info` (pino's): the log sink writes through the server's own log stream. */
export interface AuditLogger {
  info(fields: { event: AuditRecord }, message: string): void;
}

/**
 * The log sink (auditLog): every audit event as one log line of the server's own stream, so it
 * never interleaves with the other lines, in order, from a stored position like the webhook's (a
 * restart goes on after the last line written, at least once). Answers undefined when off.
 *
 * @example const sink = startAuditLog({ config, store, log: app.log.child({}, { level: 'info' }) });
 */
export function startAuditLog(options: {
  config: SesameConfig;
  store: TrailStore;
  log: AuditLogger;
  now?: () => number;
}): AuditSink | undefined {
  const { config, store, log } = options;
  if (!config.auditLog) return undefined;
  const sink = createAuditSink({
    source: trail(store, LOG_CURSOR),
    post: async (events) => {
      for (const event of events) log.info({ event }, 'audit event');
      return { ok: true };
    },
    batchSize: 100,
    intervalMs: config.auditWebhookInterval,
    now: options.now ?? Date.now,
  });
  sink.start();
  return sink;
}
