/**
 * Starts OpenTelemetry tracing in a serving process when the environment asks for it
 * (settings.ts). The SDK, the context manager and the OTLP exporter are imported only
 * on demand (sdk.ts): a server without OTEL_* variables never loads them, and the spans the
 * code makes through `@opentelemetry/api` stay no-ops that cost nothing.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { loadExporter, loadSdk } from './sdk.js';
import type { TracingSettings } from './settings.js';

/** A started tracing pipeline. */
export interface Tracing {
  /** Exports the spans still queued and stops: called last on shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Registers the global tracer provider, the async context manager (a span started in a request is
 * the parent of the spans its awaits start) and the W3C trace-context propagator (an incoming
 * `traceparent` is the request span's parent).
 *
 * @example const tracing = settings && (await startTracing(settings)); ... await tracing?.shutdown();
 */
export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  const [sdk, exporter] = await Promise.all([loadSdk(), loadExporter(settings.protocol)]);
  // service.name: `sesame`, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = sdk
    .defaultResource()
    .merge(sdk.resourceFromAttributes({ 'service.name': settings.serviceName }))
    .merge(sdk.detectResources({ detectors: [sdk.envDetector] }));
  const provider = new sdk.TracerProvider({
    resource,
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, ...settings.batch })],
  });
  const manager = new sdk.AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(new sdk.W3CTraceContextPropagator());
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
