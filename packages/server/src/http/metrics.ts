/**
 * The HTTP side of the metrics (metrics/registry.ts): every answered request, by the route
 * pattern Fastify matched (never the raw path: `/admin/users/:id`, not a user's id; `unmatched`
 * when none did), its method and status; and the token endpoint's errors by their `error` code.
 * Installed on the root instance before any route, so every route and the not-found handler
 * have the hooks. Hijacked replies (the revocation feed's streams) are not requests that end: the
 * feed has its own gauge.
 *
 * The hooks are on the token path, so they cost as little as they can (bench:metrics): each route
 * gets its own onResponse hook knowing its pattern (request.routeOptions builds an object on every
 * read), the hooks take a callback rather than return a promise, and only the token route has the
 * onSend hook that reads errors.
 */
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteOptions,
} from 'fastify';
import type { ServerMetrics } from '../metrics/registry.js';

const TOKEN_ROUTE = '/oauth/token';

type OnResponse = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;
type OnSend = (
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
) => void;

/** A route's hooks of one kind, as an array: none, one, or several were given. */
const hooks = <T>(given: T | T[] | undefined): T[] =>
  given === undefined ? [] : Array.isArray(given) ? given : [given];

/** @example if (options.metrics) installHttpMetrics(app, options.metrics); */
export function installHttpMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  // The not-found handler is no route: the root's hook counts what it answers.
  const unmatched: OnResponse = (request, reply, done) => {
    if (request.is404) metrics.request(undefined, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  };
  app.addHook('onResponse', unmatched);
  app.addHook('onRoute', (route: RouteOptions) => {
    const pattern = route.url;
    const answered: OnResponse = (request, reply, done) => {
      metrics.request(pattern, request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    route.onResponse = [
      ...hooks(route.onResponse as OnResponse | OnResponse[] | undefined),
      answered,
    ] as never;
    if (pattern === TOKEN_ROUTE)
      route.onSend = [...hooks(route.onSend as OnSend | OnSend[] | undefined), tokenErrors(metrics)] as never;
  });
}

/**
 * The `error` of RFC 6749 §5.2 is in the body the one error handler wrote (errors.ts), serialised
 * by now; only the token endpoint's errors pay for reading it.
 */
function tokenErrors(metrics: ServerMetrics): OnSend {
  return (_request, reply, payload, done) => {
    if (reply.statusCode >= 400 && typeof payload === 'string') {
      let error: unknown;
      try {
        error = (JSON.parse(payload) as { error?: unknown }).error;
      } catch {
        error = undefined;
      }
      metrics.tokenError(typeof error === 'string' ? error : 'other');
    }
    done(null, payload);
  };
}
