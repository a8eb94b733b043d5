import formbody from '@fastify/formbody';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import pino, { type DestinationStream } from 'pino';
import type { SesameConfig } from './config/config.js';
import type { Services } from './domain/services.js';
import type { AccessTokenClaims } from './domain/tokens/access-token.js';
import { createGrantRegistry, DEFAULT_GRANTS, type GrantModule } from './grants/index.js';
import { adminRoutes } from './http/admin/index.js';
import { healthRoutes } from './http/health.js';
import { installHttpMetrics } from './http/metrics.js';
import { installErrorHandling } from './http/oauth/errors.js';
import { introspectEndpoint } from './http/oauth/introspect.js';
import { installJsonBodyParser } from './http/oauth/json-body.js';
import { metadataRoutes } from './http/oauth/metadata.js';
import { registrationRoutes } from './http/oauth/register.js';
import { revocationFeedRoutes } from './http/oauth/revocations.js';
import { revokeEndpoint } from './http/oauth/revoke.js';
import { clientError, frameworkError, installMethodNotAllowed } from './http/oauth/router-errors.js';
import { tokenEndpoint } from './http/oauth/token-endpoint.js';
import { userinfoRoutes } from './http/oauth/userinfo.js';
import { installHttpTracing } from './http/tracing.js';
import { registerDocs } from './http/web/docs.js';
import { WEB_PLUGINS } from './http/web/index.js';
import { loggerOptions, prettyLine, prettyLogs, redactUrl, skipRedactionOfScalars } from './logger.js';
import type { ServerMetrics } from './metrics/registry.js';
import type { Store } from './store/types.js';
import { traceGrant } from './tracing/grants.js';
import { createServices } from './wiring.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's services (store, tokens, accounts, ...), built once by buildApp. */
    sesame: Services;
  }
  interface FastifyRequest {
    /** The verified access token of a bearer-protected route. */
    tokenClaims?: AccessTokenClaims;
  }
}

/**
 * One access-log line per request, when it completes, instead of Fastify's two (received,
 * completed): logging was a tenth of the token endpoint's cost. The line carries what the req
 * serializer of logger.ts would (method, URL with credentials redacted, address) and the status, as
 * flat values: the redaction paths are walked for every nested object of a line, and these hold no
 * credential. Fastify's other log lines (errors, 503 while closing, not found) are unchanged.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const line = {
      method: request.method,
      url: redactUrl(request.url),
      remoteAddress: request.ip,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

let stdout: DestinationStream | undefined;

/**
 * Standard output for the logs, one write per turn of the event loop: the lines of a turn are
 * joined and handed to an asynchronous pino destination, instead of one write call per line on the
 * event loop (a tenth of the token endpoint's cost when each request logs a line). A line waits at
 * most for the end of its turn; what is pending is written synchronously when the process exits.
 * Shared by every app of the process.
 */
function stdoutLog(config: SesameConfig): DestinationStream {
  const shared = sharedStdout();
  // logFormat (logger.ts): pretty when someone reads the terminal, JSON lines otherwise.
  const terminal = process.stdout.isTTY === true;
  if (!prettyLogs(config, terminal)) return shared;
  const pretty = prettyLine(terminal);
  return { write: (line: string) => shared.write(pretty(line)) };
}

function sharedStdout(): DestinationStream {
  if (stdout !== undefined) return stdout;
  const destination = pino.destination({ dest: 1, sync: false });
  let pending = '';
  const flush = () => {
    const text = pending;
    pending = '';
    if (text !== '') destination.write(text);
  };
  process.once('exit', () => {
    flush();
    destination.flushSync();
  });
  stdout = {
    write(line: string) {
      if (pending === '') setImmediate(flush);
      pending += line;
    },
  };
  return stdout;
}

export interface BuildAppOptions {
  config: SesameConfig;
  store: Store;
  /** The clock in epoch milliseconds (default Date.now); tests move it instead of sleeping. */
  now?: () => number;
  /** The grants of the token endpoint (default: password, client_credentials, refresh_token). */
  grants?: readonly GrantModule[];
  /** Web pages to serve beside the API (default: WEB_PLUGINS of web/index.ts). */
  webPlugins?: readonly FastifyPluginAsync[];
  /** A pino logger configuration or false (default: from config.logLevel, with redaction). */
  logger?: boolean | Record<string, unknown>;
  /** Prometheus metrics to count into (metrics/registry.ts); none when the metrics port is off. */
  metrics?: ServerMetrics;
  /**
   * Spans for requests, the token endpoint and grants (http/tracing.ts), through OpenTelemetry's
   * API; `sesame serve` sets it when OTEL_* asks for traces and registers the SDK (tracing/start.ts).
   */
  tracing?: boolean;
}

/**
 * Fastify's `trustProxy` from the configuration. A hop count becomes a trust function: Fastify 5.12
 * turned its own numeric option into "trust nothing" (a direct client could claim hops), which would
 * silently make every client the proxy's address; docs/deploy.md says when a count is safe.
 */
function proxyTrust({ trustProxy }: SesameConfig): boolean {
  const option =
    typeof trustProxy === 'number'
      ? (_address: string, hop: number) => hop < trustProxy
      : typeof trustProxy === 'object'
        ? [...trustProxy]
        : trustProxy;
  // One static type for Fastify's overloads (they are split by server kind, not by this option).
  return option as unknown as boolean;
}

/**
 * Builds the Sesame HTTP server. It never listens: the CLI's `serve` does, tests use `inject()`.
 * The store is the caller's to open and close.
 *
 * @example
 * const config = loadConfig();
 * const app = await buildApp({ config, store: await openStore(config) });
 * const response = await app.inject({ method: 'GET', url: '/healthz' });
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, store } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    logger: options.logger ?? { ...loggerOptions(config), stream: stdoutLog(config) },
    logController: new OneLinePerRequest(),
    bodyLimit: config.bodyLimit,
    // A hop count or the proxies' addresses, never `true` (config-proxy.ts).
    trustProxy: proxyTrust(config),
    // Routes are matched exactly; /oauth/token/ is not /oauth/token.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // Unknown body properties are kept (RFC 6749 §3.2 says ignore them, not reject the request).
    // coerceTypes true (not 'array'): query strings become numbers, a repeated value is never
    // quietly turned into one.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    // Errors raised before a route runs, in the OAuth format and without echoing the path.
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  skipRedactionOfScalars(app.log);
  const { metrics } = options;
  const services = await createServices({ config, store, now, log: app.log, metrics });
  app.decorate('sesame', services);
  installErrorHandling(app);
  if (metrics) {
    installHttpMetrics(app, metrics);
    metrics.observe({ ...services, keyRotationPeriodMs: config.keyRotationPeriod });
  }
  if (options.tracing) installHttpTracing(app); // before any route: its onRoute sees the token route
  installMethodNotAllowed(app); // before any route, so it sees them all
  // A JSON member name twice in one object is refused like a repeated form parameter.
  installJsonBodyParser(app);
  // RFC 6749 §3.2: the token endpoint takes application/x-www-form-urlencoded; JSON is built in.
  await app.register(formbody, { bodyLimit: config.bodyLimit });
  // No endpoint takes plain text; without the built-in parser it is a 415 like any other type.
  app.removeContentTypeParser('text/plain');
  await registerDocs(app);

  const modules = options.grants ?? DEFAULT_GRANTS;
  const grants = createGrantRegistry(options.tracing ? modules.map(traceGrant) : modules);
  await app.register(tokenEndpoint, { grants });
  await app.register(revokeEndpoint);
  await app.register(introspectEndpoint);
  await app.register(revocationFeedRoutes);
  await app.register(metadataRoutes, { grants });
  await app.register(registrationRoutes);
  await app.register(userinfoRoutes);
  await app.register(healthRoutes);
  await app.register(adminRoutes, { prefix: '/admin' });
  for (const plugin of options.webPlugins ?? WEB_PLUGINS) await app.register(plugin);
  app.addHook('onClose', async () => services.close());
  return app;
}
