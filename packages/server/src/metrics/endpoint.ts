/**
 * The metrics port: a node:http server of its own, not the Fastify app, answering GET /metrics
 * only. A port apart keeps the metrics off the public listener and out of the load balancer's
 * routes; when a token is set, a scrape must present it (Authorization: Bearer, RFC 6750 §2.1),
 * compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseBearer } from '@sesame/protocol';

/** One exposition: Prometheus' text format and its content type. */
export interface Exposition {
  contentType: string;
  body: string;
}

export interface MetricsEndpointOptions {
  host: string;
  port: number;
  /** The bearer token a scrape must present; '' lets every scrape in (loopback only: config/metrics.ts). */
  token: string;
  /** The metrics of this scrape: this process's registry, or the workers' sum. */
  render: () => Promise<Exposition>;
  /** Hears why a scrape could not be answered (never a token). */
  warn?: (message: string, error: unknown) => void;
}

export interface MetricsEndpoint {
  /** The port listened on (the configured one, or the one the system chose for 0 in tests). */
  readonly port: number;
  /** Stops listening and closes the connections (scrapes are short; none is waited for). */
  close(): Promise<void>;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Listens; rejects with the listen error (EADDRINUSE, EACCES) for the caller to report.
 *
 * @example
 * const endpoint = await listenMetrics({ host: '127.0.0.1', port: 9464, token: '', render });
 * await endpoint.close();
 */
export async function listenMetrics(options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
  // Digests of equal length, so the comparison takes the same time whatever was presented.
  const expected = options.token === '' ? undefined : digest(options.token);
  const authorized = (request: IncomingMessage) => {
    if (expected === undefined) return true;
    let presented: string;
    try {
      presented = parseBearer(request.headers.authorization);
    } catch {
      return false; // none, another scheme, or not RFC 6750's shape
    }
    return timingSafeEqual(digest(presented), expected);
  };
  const answer = (response: ServerResponse, status: number, text: string, headers = {}) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    response.end(`${text}\n`);
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') return answer(response, 404, 'not found: the metrics are at /metrics');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return answer(response, 405, 'use GET', { allow: 'GET, HEAD' });
    if (!authorized(request))
      return answer(response, 401, 'a bearer token is required', {
        'www-authenticate': 'Bearer realm="metrics"',
      });
    options.render().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        options.warn?.('metrics: a scrape could not be answered', error);
        answer(response, 503, 'the metrics are unavailable for now');
      },
    );
  });
  // A scrape is one small GET: a client that dawdles is cut.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((listening, fail) => {
    server.once('error', fail);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', fail);
      listening();
    });
  });
  return Object.freeze({
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  });
}
