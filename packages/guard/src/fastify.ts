import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { GuardError } from './errors.js';
import { type AccessTokenClaims, createGuard, type Guard, type GuardOptions } from './guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token's claims; set by `app.authenticate` or `requireScopes(...)`. */
    auth: AccessTokenClaims | null;
  }
  interface FastifyInstance {
    sesameGuard: Guard;
    /** A preHandler that requires a valid bearer token (no particular scope). */
    authenticate: preHandlerAsyncHookHandler;
  }
}

/** Pass a guard you own (you close it), or guard options (the plugin closes it with the app). */
export type SesameGuardPluginOptions = { guard: Guard } | GuardOptions;

/**
 * Sends a GuardError as RFC 6750 §3 says: the status, WWW-Authenticate, Retry-After for 503, and
 * `{ error, error_description }` (no body when the request carried no credentials).
 */
export function sendGuardError(reply: FastifyReply, error: GuardError): FastifyReply {
  reply
    .code(error.status)
    .header('www-authenticate', error.wwwAuthenticate)
    .header('cache-control', 'no-store');
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  const body = error.toJSON();
  return body === undefined ? reply.send() : reply.send(body);
}

async function run(request: FastifyRequest, reply: FastifyReply, scopes: readonly string[]): Promise<void> {
  const guard = request.server.sesameGuard;
  try {
    if (request.auth === null)
      request.auth = await guard.authenticate(request.headers.authorization, {
        scopes,
        request: {
          method: request.method,
          url: `${request.protocol}://${request.host}${request.url}`,
          dpop: request.headers.dpop,
        },
      });
    else guard.checkScopes(request.auth, scopes);
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    request.log.info({ reason: error.reason, status: error.status }, 'bearer token refused');
    await sendGuardError(reply, error);
  }
}

/**
 * A preHandler that requires a valid bearer token carrying every one of `scopes`
 * (403 insufficient_scope otherwise). Works in any scope of an app that registered the plugin.
 *
 * @example app.post('/questions', { preHandler: requireScopes('admin') }, handler)
 */
export function requireScopes(...scopes: string[]): preHandlerAsyncHookHandler {
  return async function sesameRequireScopes(request, reply) {
    await run(request, reply, scopes);
  };
}

const plugin: FastifyPluginAsync<SesameGuardPluginOptions> = async (app, options) => {
  const owned = !('guard' in options);
  const guard = 'guard' in options ? options.guard : createGuard(options);
  app.decorate('sesameGuard', guard);
  app.decorate('authenticate', requireScopes());
  app.decorateRequest('auth', null);
  if (owned) app.addHook('onClose', async () => guard.close());
};

/**
 * The Fastify plugin: decorates `app.sesameGuard`, `app.authenticate` and `request.auth`.
 *
 * @example
 * await app.register(sesameGuard, { issuer: 'http://127.0.0.1:8080', audience: 'quiz-api' });
 * app.get('/me', { preHandler: app.authenticate }, (request) => request.auth);
 */
export const sesameGuard = fp(plugin, { fastify: '5.x', name: '@sesame/guard' });
export default sesameGuard;
