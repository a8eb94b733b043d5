/**
 * A relying party's back-channel logout endpoint, for tests and the attack suite: a real HTTP
 * server on 127.0.0.1 that records each POST (path, content type, the form's fields) and answers
 * as the caller scripts it: a status, a redirect, a body that never ends, or no answer at all
 * until released.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  contentType: string | undefined;
  fields: Record<string, string>;
}

/** How to answer the nth request (0-based): a status, or a special behaviour. */
export type Answer = number | 'redirect' | 'endless' | 'hang';

export interface LogoutReceiver {
  /** The base URL, e.g. http://127.0.0.1:4321 (append a path per client). */
  base: string;
  received: Received[];
  /** Resolves when `count` requests have arrived. */
  arrived(count: number): Promise<void>;
  /** Answers the requests left hanging ('hang') with 200. */
  release(): void;
  close(): Promise<void>;
}

/**
 * @example const rp = await startLogoutReceiver((n) => (n < 2 ? 503 : 200)); // fails twice, then 200
 */
export async function startLogoutReceiver(
  answer: (n: number) => Answer = () => 200,
): Promise<LogoutReceiver> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const waiters: { count: number; done: () => void }[] = [];
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const n = received.length;
    let body = '';
    for await (const chunk of request) body += chunk;
    received.push({
      path: request.url ?? '',
      contentType: request.headers['content-type'],
      fields: Object.fromEntries(new URLSearchParams(body)),
    });
    for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.done();
    const how = answer(n);
    if (how === 'hang') hanging.push(response);
    else if (how === 'redirect') response.writeHead(307, { location: `${base}/elsewhere` }).end();
    else if (how === 'endless') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const more = () => {
        if (!response.destroyed && response.write('x'.repeat(65_536))) setImmediate(more);
        else if (!response.destroyed) response.once('drain', more);
      };
      more();
    } else response.writeHead(how).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    arrived: (count) =>
      received.length >= count ? Promise.resolve() : new Promise((done) => waiters.push({ count, done })),
    release() {
      for (const response of hanging.splice(0)) response.writeHead(200).end();
    },
    async close() {
      for (const response of hanging.splice(0)) response.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
