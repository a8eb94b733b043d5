/**
 * The rule that turns traces on (tracing/settings.ts): OpenTelemetry's own variables, each case
 * seen both ways.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { tracingSettings } from '../../src/tracing/settings.js';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

describe('tracingSettings', () => {
  it('is off without OTEL_* variables, or with an empty endpoint', () => {
    expect(tracingSettings({})).toBeUndefined();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'auth' })).toBeUndefined();
  });

  it('is on with an endpoint (either variable) or OTEL_TRACES_EXPORTER=otlp', () => {
    expect(tracingSettings(ENDPOINT)).toEqual({
      protocol: 'http/protobuf',
      serviceName: 'sesame',
      batch: {},
    });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBeDefined();
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' })).toBeDefined();
  });

  it('is off when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, whatever the endpoint', () => {
    expect(tracingSettings({ ...ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' })).toBeUndefined();
    expect(tracingSettings({ ...ENDPOINT, OTEL_SDK_DISABLED: 'false' })).toBeDefined();
    expect(tracingSettings({ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('takes the service name, the protocol (traces first) and the batch variables', () => {
    const settings = tracingSettings({
      ...ENDPOINT,
      OTEL_SERVICE_NAME: 'auth-eu',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BSP_MAX_QUEUE_SIZE: '4096',
    });
    expect(settings).toEqual({
      protocol: 'http/json',
      serviceName: 'auth-eu',
      batch: { scheduledDelayMillis: 200, maxQueueSize: 4096 },
    });
  });

  it('refuses what it cannot honour, in one line naming the variable', () => {
    const refused = (env: Record<string, string>, variable: string) => {
      expect(() => tracingSettings({ ...ENDPOINT, ...env })).toThrow(ConfigError);
      expect(() => tracingSettings({ ...ENDPOINT, ...env })).toThrow(new RegExp(`^${variable}: `));
    };
    refused({ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER');
    refused({ OTEL_TRACES_EXPORTER: 'otlp,console' }, 'OTEL_TRACES_EXPORTER');
    refused({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL');
    refused({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL');
    refused({ OTEL_BSP_SCHEDULE_DELAY: '1s' }, 'OTEL_BSP_SCHEDULE_DELAY');
    refused({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' }, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  });
});
