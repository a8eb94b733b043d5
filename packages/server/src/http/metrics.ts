/**
 * The HTTP side of the metrics (metrics/registry.ts): every answered request, by the route
 * pattern Fastify matched (never the raw path: `/admin/users/:id`, not a user's id; `unmatched`
 * when none did), its method and status; and the token endpoint's errors by their `error` code.
 * Installed on the root instance before any route, so every route and the not-found handler
 * have the hooks. Hijacked replies (the revocation feed's streams) are not requests that end: the
 * feed has its own gauge.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../metrics/registry.js';

const TOKEN_ROUTE = '/oauth/token';

/** @example if (options.metrics) installHttpMetrics(app, options.metrics); */
export function installHttpMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  // The `error` of RFC 6749 §5.2 is in the body the one error handler wrote (errors.ts), serialised
  // by now; only the token endpoint's errors pay for reading it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && request.routeOptions.url === TOKEN_ROUTE && typeof payload === 'string') {
      let error: unknown;
      try {
        error = (JSON.parse(payload) as { error?: unknown }).error;
      } catch {
        error = undefined;
      }
      metrics.tokenError(typeof error === 'string' ? error : 'other');
    }
    return payload;
  });
}
