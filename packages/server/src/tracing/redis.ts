/**
 * Redis spans: every command of the command connection goes through ioredis's `sendCommand`, so
 * wrapping it on that one instance traces them all (counters, the denylist, the revocation and key
 * announcements) without touching their code. A span `redis.<COMMAND>` with `db.system` redis and
 * the command's name; never its arguments (keys hold client ids and token digests, EVAL a script).
 * The pub/sub connection is left alone: a subscription is not a call.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { failed, inTrace, tracer } from './spans.js';

interface SentCommand {
  name: string;
  promise: Promise<unknown>;
}

/**
 * Wraps the client's `sendCommand` (once). Commands sent outside a traced operation (the
 * connection's own handshake, background announcements) make no span.
 *
 * @example traceRedisCommands(redis.client);
 */
export function traceRedisCommands(client: Redis): void {
  const send = client.sendCommand.bind(client) as (command: SentCommand, ...rest: unknown[]) => unknown;
  client.sendCommand = ((command: SentCommand, ...rest: unknown[]) => {
    if (!inTrace()) return send(command, ...rest);
    const name = String(command.name).toUpperCase();
    const span = tracer().startSpan(`redis.${name}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system': 'redis', 'db.operation.name': name },
    });
    const result = send(command, ...rest);
    command.promise.then(
      () => span.end(),
      (error: unknown) => {
        failed(span, error);
        span.end();
      },
    );
    return result;
  }) as Redis['sendCommand'];
}
