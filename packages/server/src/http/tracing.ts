/**
 * The HTTP side of the traces (tracing/): a server span per request, named by the route pattern
 * Fastify matched (`POST /oauth/token`, `GET /admin/users/:id`; the method alone when none did),
 * child of the caller's span when the request carries a W3C `traceparent` (Trace Context §3.2).
 * Attributes: method, route pattern, status code; never the URL (its query string may hold a
 * code or a token), a header, a cookie or the body. The token endpoint's own work (client
 * authentication, dispatch) is a span `oauth.token` inside it, the grant one inside that
 * (tracing/grants.ts), the store and Redis calls inside those.
 *
 * Installed by buildApp only when tracing is on, on the root instance before any route.
 */
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { inSpan, tracer } from '../tracing/spans.js';

const TOKEN_ROUTE = '/oauth/token';

const active = new WeakMap<FastifyRequest, Context>();

/** The standard methods; any other is `_OTHER` (OpenTelemetry's HTTP conventions), a bounded set. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

/** @example if (options.tracing) installHttpTracing(app); */
export function installHttpTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const method = METHODS.has(request.method) ? request.method : '_OTHER';
    const route = request.routeOptions.url;
    // Trace Context §3.2: only `traceparent`/`tracestate` are read from the headers.
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer().startSpan(
      route === undefined ? method : `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          ...(route === undefined ? {} : { 'http.route': route }),
        },
      },
      parent,
    );
    // Ended when the answer is sent or the connection closes (a revocation stream ends so too).
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const current = trace.setSpan(parent, span);
    active.set(request, current);
    context.with(current, done);
  });
  // The body is parsed on the socket's events, outside the request's context: enter it again
  // before the route's own hooks and handler, which then run (and await) inside it.
  app.addHook('preValidation', (request, _reply, done) => {
    const current = active.get(request);
    if (current === undefined) done();
    else context.with(current, done);
  });
  app.addHook('onRoute', (route) => {
    if (route.url !== TOKEN_ROUTE || ![route.method].flat().includes('POST')) return;
    const handler = route.handler as RouteHandlerMethod;
    // No attribute from the body here: an unregistered grant_type is whatever a caller typed; the
    // grant span names the registered one.
    route.handler = function tokenSpan(this: FastifyInstance, request, reply) {
      return inSpan('oauth.token', {}, () => handler.call(this, request, reply));
    } as RouteHandlerMethod;
  });
}
