/**
 * Starts OpenTelemetry tracing in a serving process when the environment asks for it
 * (settings.ts). The SDK, the context manager and the OTLP exporter are imported here, and only
 * here, on demand: a server without OTEL_* variables never loads them, and the spans the code makes
 * through `@opentelemetry/api` stay no-ops that cost nothing.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import type { TracingSettings } from './settings.js';

/** A started tracing pipeline. */
export interface Tracing {
  /** Exports the spans still queued and stops: called last on shutdown. */
  shutdown(): Promise<void>;
}

async function exporterFor(settings: TracingSettings) {
  // Each exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION.
  if (settings.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}

/**
 * Registers the global tracer provider, the async context manager (a span started in a request is
 * the parent of the spans its awaits start) and the W3C trace-context propagator (an incoming
 * `traceparent` is the request span's parent).
 *
 * @example const tracing = settings && (await startTracing(settings)); ... await tracing?.shutdown();
 */
export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  const [{ TracerProvider, BatchSpanProcessor }, { AsyncLocalStorageContextManager }, core, resources] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
    ]);
  // service.name: `sesame`, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': settings.serviceName }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new TracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor({ exporter: await exporterFor(settings), ...settings.batch })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
