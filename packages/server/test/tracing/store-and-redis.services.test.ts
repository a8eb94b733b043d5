/**
 * Store and Redis spans (tracing/store.ts, tracing/redis.ts) over a real SQLite store with Redis in
 * front, read back from the SDK's in-memory exporter: a span per store method and per Redis
 * command inside a traced operation, nested, with `db.system` and no argument; none outside one; a
 * synchronous method stays synchronous; a failing call marks its span failed.
 */
import { randomBytes } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { REDIS_URL } from '@sesame/testkit';
import { openTempStore } from '@sesame/testkit/app';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../src/store/redis/connection.js';
import { withRedis } from '../../src/store/redis/store.js';
import type { Store } from '../../src/store/types.js';
import { traceRedisCommands } from '../../src/tracing/redis.js';
import { importOptional, loadSdk } from '../../src/tracing/sdk.js';
import { traceStore } from '../../src/tracing/store.js';
import { describeWithServices, openTestPostgresStore } from '../helpers/services.js';

/** What the test reads of a finished span (the SDK's ReadableSpan). */
interface FinishedSpan {
  name: string;
  attributes: Record<string, unknown>;
  parentSpanContext?: { spanId: string };
  spanContext(): { spanId: string };
  status: { code: number };
  events: unknown[];
}

// The SDK as the server loads it (an optional dependency, tracing/sdk.ts), and its in-memory exporter.
const sdk = await loadSdk();
const { InMemorySpanExporter } = await importOptional<{
  InMemorySpanExporter: new () => { reset(): void; getFinishedSpans(): FinishedSpan[] };
}>('@opentelemetry/sdk-trace');

await describeWithServices(['Redis', 'PostgreSQL'], 'store and Redis spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new sdk.TracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor({ exporter })] });
  let sqlite: Awaited<ReturnType<typeof openTempStore>>;
  let redis: RedisConnection;
  let store: Store;
  const key = `throttle-key-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const manager = new sdk.AsyncLocalStorageContextManager();
    manager.enable();
    context.setGlobalContextManager(manager);
    trace.setGlobalTracerProvider(provider);
    sqlite = await openTempStore();
    redis = connectRedis({ url: REDIS_URL, prefix: `sesame-test-${randomBytes(4).toString('hex')}:` });
    expect(await redis.whenUp(5000)).toBe(true);
    traceRedisCommands(redis.client);
    store = traceStore(withRedis(sqlite, redis, { log: () => undefined, announceStart: false }));
  });

  afterAll(async () => {
    await redis?.close();
    await sqlite?.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  const inRequest = <T>(run: () => Promise<T>) =>
    trace.getTracer('test').startActiveSpan('request', async (span) => {
      try {
        return await run();
      } finally {
        span.end();
      }
    });

  it('makes a span per store method and Redis command inside a trace, nested, without arguments', async () => {
    exporter.reset();
    await inRequest(async () => {
      await store.findUserByName('someone-not-there');
      await store.recordLoginFailure(key, 1_700_000_000_000, 60_000);
    });
    const spans = exporter.getFinishedSpans();
    const byName = (name: string) => spans.find((span) => span.name === name);
    const request = byName('request')!;
    const find = byName('store.findUserByName')!;
    const failure = byName('store.recordLoginFailure')!;
    const script = spans.find((span) => span.name.startsWith('redis.EVAL'))!;
    expect(find.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(find.attributes['db.system']).toBe('sqlite');
    expect(failure.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    // The Redis command runs inside the store method that sent it.
    expect(script.parentSpanContext?.spanId).toBe(failure.spanContext().spanId);
    expect(script.attributes['db.system']).toBe('redis');
    // No argument anywhere: neither the username nor the key.
    const exported = JSON.stringify(spans.map((span) => [span.name, span.attributes]));
    expect(exported).not.toContain('someone-not-there');
    expect(exported).not.toContain(key);
    expect(exported).toContain('store.findUserByName'); // what the two lines above search is there
  });

  it('makes none outside a trace, and keeps synchronous methods synchronous', async () => {
    exporter.reset();
    await store.findUserByName('someone-not-there');
    await store.getThrottle(key, 1_700_000_000_000);
    expect(exporter.getFinishedSpans()).toEqual([]);
    const live = await inRequest(async () => store.revocationsLive?.());
    expect(live).toBe(true);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['request']);
  });

  it('names PostgreSQL as the db.system of a PostgreSQL store', async () => {
    const { store: postgres } = await openTestPostgresStore();
    try {
      exporter.reset();
      await inRequest(() => traceStore(postgres).countUsers());
      const span = exporter.getFinishedSpans().find((each) => each.name === 'store.countUsers')!;
      expect(span.attributes['db.system']).toBe('postgresql');
    } finally {
      await postgres.close();
    }
  });

  it('marks the span of a failing call failed, with the error’s code and not its message', async () => {
    exporter.reset();
    await inRequest(async () => {
      await expect(
        store.createClient({ clientId: '' } as unknown as Parameters<Store['createClient']>[0]),
      ).rejects.toThrow();
    });
    const span = exporter.getFinishedSpans().find((each) => each.name === 'store.createClient')!;
    expect(span.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(typeof span.attributes['error.type']).toBe('string');
    expect(span.events).toEqual([]);
  });
});
