/**
 * The spans Sesame makes, through OpenTelemetry's API only: without a registered SDK (start.ts)
 * the tracer is a no-op. Attributes are chosen by the callers from a short, fixed list (route
 * patterns, grant types, client ids, method names); a credential is never one of them.
 */
import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** The tracer of every Sesame span (instrumentation scope `sesame`). */
export const tracer = () => trace.getTracer('sesame');

/** True when a span is active: store and Redis spans are made only inside a traced operation. */
export const inTrace = () => trace.getSpan(context.active()) !== undefined;

/**
 * Runs `run` inside a new span child of the active one, ends it when the promise settles and marks
 * it failed when it rejects (the error's name only: a message is not ours to vouch for).
 *
 * @example await inSpan('store.findUserByName', { 'db.system': 'sqlite' }, () => store.findUserByName(name));
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  run: (span: Span) => Promise<T> | T,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await run(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Marks a span failed with the error's OAuth `error`, else its `code`, else its class name: stable
 * words of ours, never a message (a driver's message may quote the values of a query).
 */
export function failed(span: Span, error: unknown): void {
  const fields = (error ?? {}) as { error?: unknown; code?: unknown; name?: unknown };
  const type = [fields.error, fields.code, fields.name].find((value) => typeof value === 'string');
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute('error.type', (type as string | undefined) ?? 'Error');
}

/**
 * Like `inSpan` for a function that may answer synchronously: a value is answered as it is (a
 * synchronous store method stays synchronous), a promise ends the span when it settles.
 *
 * @example traceCall('store.ping', { 'db.system': 'sqlite' }, () => store.ping());
 */
export function traceCall<T>(
  name: string,
  attributes: Attributes,
  run: () => T,
  kind = SpanKind.INTERNAL,
): T {
  return tracer().startActiveSpan(name, { kind, attributes }, (span) => {
    let result: T;
    try {
      result = run();
    } catch (error) {
      failed(span, error);
      span.end();
      throw error;
    }
    if (result === null || typeof (result as { then?: unknown })?.then !== 'function') {
      span.end();
      return result;
    }
    return (result as unknown as Promise<unknown>).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(span, error);
        span.end();
        throw error;
      },
    ) as T;
  });
}
