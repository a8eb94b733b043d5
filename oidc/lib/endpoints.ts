/**
 * The relying party's own HTTP endpoints, on 127.0.0.1: the redirect URI (`/cb`), the
 * post-logout redirect URI, the back-channel logout URI, and request objects by reference
 * (`request_uri`). Every request is recorded, so a module can check what reached the client and,
 * as important, what never did (an unregistered redirect, a logout redirect that must not happen).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Hit {
  method: string;
  url: URL;
  /** The body as sent (a form_post response, a logout token). */
  body: string;
  headers: IncomingMessage['headers'];
}

type Waiter = { match: (hit: Hit) => boolean; resolve: (hit: Hit) => void };

const PAGE = '<!doctype html><title>Relying party</title><p>back at the relying party';

export class RpEndpoints {
  readonly hits: Hit[] = [];
  /** Request objects served at /request/ID (`request_uri`). */
  readonly requestObjects = new Map<string, string>();
  private readonly waiters = new Set<Waiter>();
  private constructor(
    private readonly server: Server,
    readonly base: string,
  ) {}

  static async start(): Promise<RpEndpoints> {
    let endpoints: RpEndpoints | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', endpoints!.base);
        const object = /^\/request\/([\w-]+)$/.exec(url.pathname);
        if (object !== null && endpoints!.requestObjects.has(object[1]!)) {
          response
            .writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' })
            .end(endpoints!.requestObjects.get(object[1]!));
        } else if (url.pathname === '/backchannel-logout') {
          // Back-Channel Logout §2.8: 200 with Cache-Control: no-store.
          response.writeHead(200, { 'cache-control': 'no-store' }).end();
        } else {
          response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        }
        if (url.pathname === '/favicon.ico') return;
        endpoints!.record({
          method: request.method ?? 'GET',
          url,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: request.headers,
        });
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    endpoints = new RpEndpoints(server, `http://127.0.0.1:${port}`);
    return endpoints;
  }

  get redirectUri(): string {
    return `${this.base}/cb`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.base}/post-logout`;
  }

  get backchannelLogoutUri(): string {
    return `${this.base}/backchannel-logout`;
  }

  private record(hit: Hit): void {
    this.hits.push(hit);
    for (const waiter of this.waiters) {
      if (waiter.match(hit)) {
        this.waiters.delete(waiter);
        waiter.resolve(hit);
      }
    }
  }

  /** The hits since `from` (an index into `hits`) that match. */
  since(from: number, match: (hit: Hit) => boolean = () => true): Hit[] {
    return this.hits.slice(from).filter(match);
  }

  /**
   * The first hit from `from` on that matches, waiting for it if none has come yet; rejects after
   * `timeoutMs` (a bound for a loaded machine, not an expected delay).
   */
  waitFor(from: number, match: (hit: Hit) => boolean, timeoutMs: number): Promise<Hit> {
    const seen = this.since(from, match)[0];
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (hit) => {
          clearTimeout(timer);
          resolve(hit);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`nothing reached the relying party within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}
