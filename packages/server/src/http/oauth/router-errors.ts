/**
 * The answers given before a route is reached: a URL the router cannot decode (400), a path
 * parameter over its length (414), a request whose headers overflow node's limit (431), no route
 * (404), and a route that exists under other methods (405, with `Allow`, RFC 9110 §15.5.6). All in
 * the OAuth error format of every other error, and none repeats the path: Fastify's defaults echo
 * it, which turns a crafted URL into text the client reflects (and logs keep).
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import { sendOAuthError } from './errors.js';

/** The methods in `Allow` and in the message, in a stable order (RFC 9110 lists no order). */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

/**
 * A find-my-way path as a RegExp over the raw path: `:name` is one segment, `*` the rest. Only
 * used after the router found nothing, so the cost is paid by 404s and 405s alone.
 */
function toPattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z_][\w-]*|\*)/)
    .map((part) =>
      part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/** The methods the routes of `path` answer, or an empty list when no route has that path. */
function allowedMethods(known: Map<string, KnownPath>, rawUrl: string): string[] {
  const query = rawUrl.indexOf('?');
  const path = query === -1 ? rawUrl : rawUrl.slice(0, query);
  const methods = new Set<string>();
  for (const entry of known.values()) {
    if (entry.pattern.test(path)) for (const method of entry.methods) methods.add(method);
  }
  return ORDER.filter((method) => methods.has(method));
}

/** `GET is not allowed here; use POST` (HEAD goes with GET and is not suggested on its own). */
export function methodNotAllowed(method: string, allowed: readonly string[]): OAuthError {
  const suggested = allowed.filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
  const use = suggested.length > 0 ? suggested.join(' or ') : allowed.join(' or ');
  const shown = /^[A-Z]{1,12}$/.test(method) ? method : 'this method';
  return new OAuthError('invalid_request', `${shown} is not allowed here; use ${use}`, {
    status: 405,
    headers: { allow: allowed.join(', ') },
  });
}

/** Router errors (Fastify's `frameworkErrors` option): never echo the path. */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      sendOAuthError(reply, new OAuthError('invalid_request', 'the URL is malformed'));
      return;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      sendOAuthError(reply, new OAuthError('invalid_request', 'the URL is too long', { status: 414 }));
      return;
    default:
      sendOAuthError(reply, new OAuthError('server_error', 'the server could not complete the request'));
  }
}

/**
 * Errors node's HTTP parser raises before any request exists (Fastify's `clientErrorHandler`): a
 * raw response on the socket, then the connection is closed, as node's default does.
 */
export function clientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, oauth] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request did not arrive in time']
        : [400, 'Bad Request', 'the request is malformed'];
  const body = JSON.stringify(new OAuthError('invalid_request', oauth).toJSON());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Records every route as it is added and answers what the router did not match: 405 with `Allow`
 * when the path has routes under other methods, else 404. Call before any route is registered.
 *
 * @example installMethodNotAllowed(app); // then register routes
 */
export function installMethodNotAllowed(app: FastifyInstance): void {
  const known = new Map<string, KnownPath>();
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (typeof url !== 'string') return;
    let entry = known.get(url);
    if (entry === undefined) {
      entry = { pattern: toPattern(url), methods: new Set() };
      known.set(url, entry);
    }
    for (const method of [route.method].flat()) entry.methods.add(method.toUpperCase());
  });
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(known, request.raw.url ?? '/');
    // A route of this method that found nothing (a missing static file) is a 404, not a 405.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return sendOAuthError(reply, methodNotAllowed(request.method, allowed));
    }
    return sendOAuthError(reply, new OAuthError('not_found', 'no such route'));
  });
}
