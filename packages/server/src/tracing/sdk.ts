/**
 * The OpenTelemetry SDK, loaded on demand. Its packages are optional dependencies of
 * @sesame/server (package.json): an install without them (`npm install --omit=optional`) builds
 * and serves, and only a start whose OTEL_* variables ask for traces needs them; that start then
 * stops with one line naming what to install. So the compiler is not asked to resolve them: the
 * few shapes used here are declared below, and the modules imported by name.
 */
import type { Attributes, ContextManager, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import { ConfigError } from '../config/errors.js';

/** An OpenTelemetry resource (the service's attributes). */
export interface SdkResource {
  merge(other: SdkResource): SdkResource;
}

/** What Sesame uses of the SDK's packages. */
export interface Sdk {
  TracerProvider: new (options: {
    resource?: SdkResource;
    spanProcessors?: unknown[];
  }) => TracerProvider & { shutdown(): Promise<void>; forceFlush(): Promise<void> };
  BatchSpanProcessor: new (options: { exporter: unknown } & Record<string, unknown>) => unknown;
  SimpleSpanProcessor: new (options: { exporter: unknown }) => unknown;
  AsyncLocalStorageContextManager: new () => ContextManager;
  W3CTraceContextPropagator: new () => TextMapPropagator;
  defaultResource(): SdkResource;
  resourceFromAttributes(attributes: Attributes): SdkResource;
  detectResources(options: { detectors: unknown[] }): SdkResource;
  envDetector: unknown;
}

/** The packages to install for traces (the exporter is one of the last two, by protocol). */
export const SDK_PACKAGES = [
  '@opentelemetry/sdk-trace',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/exporter-trace-otlp-http',
] as const;

/** Imports a package by name; a missing one is a one-line ConfigError saying what to install. */
export async function importOptional<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConfigError(
      `OTEL_* asks for traces but ${name} is not installed; install the optional dependencies of @sesame/server (${SDK_PACKAGES.join(' ')})`,
    );
  }
}

/**
 * The SDK's tracer provider, processors, context manager, propagator and resources.
 *
 * @example const sdk = await loadSdk(); const provider = new sdk.TracerProvider({});
 */
export async function loadSdk(): Promise<Sdk> {
  const [trace, hooks, core, resources] = await Promise.all([
    importOptional<Pick<Sdk, 'TracerProvider' | 'BatchSpanProcessor' | 'SimpleSpanProcessor'>>(
      SDK_PACKAGES[0],
    ),
    importOptional<Pick<Sdk, 'AsyncLocalStorageContextManager'>>(SDK_PACKAGES[1]),
    importOptional<Pick<Sdk, 'W3CTraceContextPropagator'>>(SDK_PACKAGES[2]),
    importOptional<
      Pick<Sdk, 'defaultResource' | 'resourceFromAttributes' | 'detectResources' | 'envDetector'>
    >(SDK_PACKAGES[3]),
  ]);
  return {
    TracerProvider: trace.TracerProvider,
    BatchSpanProcessor: trace.BatchSpanProcessor,
    SimpleSpanProcessor: trace.SimpleSpanProcessor,
    AsyncLocalStorageContextManager: hooks.AsyncLocalStorageContextManager,
    W3CTraceContextPropagator: core.W3CTraceContextPropagator,
    defaultResource: resources.defaultResource,
    resourceFromAttributes: resources.resourceFromAttributes,
    detectResources: resources.detectResources,
    envDetector: resources.envDetector,
  };
}

/** The OTLP trace exporter of a protocol (it reads OTEL_EXPORTER_OTLP_* itself). */
export async function loadExporter(protocol: 'http/protobuf' | 'http/json'): Promise<unknown> {
  const name = protocol === 'http/json' ? SDK_PACKAGES[5] : SDK_PACKAGES[4];
  const { OTLPTraceExporter } = await importOptional<{ OTLPTraceExporter: new () => unknown }>(name);
  return new OTLPTraceExporter();
}
