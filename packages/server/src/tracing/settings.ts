/**
 * Whether `sesame serve` exports traces, read from OpenTelemetry's standard environment variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/) and nothing
 * of Sesame's own, so a collector set up for other services' SDKs works unchanged. The rule:
 *
 * - `OTEL_SDK_DISABLED=true` turns tracing off, whatever else is set;
 * - `OTEL_TRACES_EXPORTER=none` turns it off; `otlp` turns it on; any other exporter name
 *   (console, zipkin, ...) stops the start with one line, rather than tracing nowhere quietly;
 * - otherwise tracing is on exactly when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 *   `OTEL_EXPORTER_OTLP_ENDPOINT` is set (not empty).
 *
 * The protocol is `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`, else the
 * specification's default `http/protobuf`; `http/json` is the other one supported (`grpc` is
 * refused: it would need a gRPC stack for one exporter). The endpoint, headers, timeout, batch and
 * compression variables are read by the OTLP exporter itself; the batch variables `OTEL_BSP_*`
 * (schedule delay, export timeout, queue and batch sizes) here. Every trace is sampled, unless the
 * incoming `traceparent` says its trace is not (parent-based, always on).
 */
import { ConfigError } from '../config/errors.js';

export type TraceProtocol = 'http/protobuf' | 'http/json';

export interface TracingSettings {
  protocol: TraceProtocol;
  /** `OTEL_SERVICE_NAME`, else `sesame`. */
  serviceName: string;
  /** The batch span processor's `OTEL_BSP_*` values that were set (the SDK's defaults otherwise). */
  batch: BatchSettings;
}

export interface BatchSettings {
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
}

const BATCH_VARIABLES: Record<string, keyof BatchSettings> = {
  OTEL_BSP_SCHEDULE_DELAY: 'scheduledDelayMillis',
  OTEL_BSP_EXPORT_TIMEOUT: 'exportTimeoutMillis',
  OTEL_BSP_MAX_QUEUE_SIZE: 'maxQueueSize',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'maxExportBatchSize',
};

function batchSettings(env: Env): BatchSettings {
  const batch: BatchSettings = {};
  for (const [variable, key] of Object.entries(BATCH_VARIABLES)) {
    const value = env[variable]?.trim();
    if (value === undefined || value === '') continue;
    if (!/^\d{1,9}$/.test(value) || (key !== 'scheduledDelayMillis' && Number(value) === 0)) {
      throw new ConfigError(
        `${variable}: must be a whole number of ${key.endsWith('Millis') ? 'milliseconds' : 'spans'}`,
      );
    }
    batch[key] = Number(value);
  }
  return batch;
}

type Env = Readonly<Record<string, string | undefined>>;

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * The tracing settings of an environment, or undefined when tracing is off.
 *
 * @example const tracing = tracingSettings(process.env); // undefined unless OTEL_* asks for traces
 */
export function tracingSettings(env: Env): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return undefined;
  const unknown = exporters.filter((name) => name !== 'otlp');
  if (unknown.length > 0) {
    throw new ConfigError(
      `OTEL_TRACES_EXPORTER: ${JSON.stringify(unknown[0])} is not supported; use otlp (or none)`,
    );
  }
  const endpoint = set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (exporters.length === 0 && !endpoint) return undefined;
  const protocolVariable = set(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL)
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (env[protocolVariable]?.trim() || 'http/protobuf').toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new ConfigError(
      `${protocolVariable}: ${JSON.stringify(protocol)} is not supported; use http/protobuf or http/json`,
    );
  }
  return { protocol, serviceName: env.OTEL_SERVICE_NAME?.trim() || 'sesame', batch: batchSettings(env) };
}
