/**
 * A local stand-in for WeChat's GET /sns/jscode2session on 127.0.0.1, answering by js_code:
 * `ok-<openid>[~anything]` and `union-<openid>-<unionid>` succeed; `invalid` (40029), `used` (40163),
 * `risky` (40226), `limited` (45011), `busy` (-1), `badsecret` (40125), `slow` (answers after 2 s),
 * `garbage` (not JSON), `http500` (status 500).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface StandIn {
  base: string;
  /** Every request's query, in order. */
  calls: URLSearchParams[];
  close(): Promise<void>;
}

const ERRORS: Record<string, number> = {
  invalid: 40029,
  used: 40163,
  risky: 40226,
  limited: 45011,
  busy: -1,
  badsecret: 40125,
};

export async function startWechatStandIn(): Promise<StandIn> {
  const calls: URLSearchParams[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request: IncomingMessage, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (url.pathname !== '/sns/jscode2session') {
      response.writeHead(404).end();
      return;
    }
    calls.push(url.searchParams);
    const code = url.searchParams.get('js_code') ?? '';
    // WeChat labels its JSON text/plain.
    const send = (body: unknown) =>
      response.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(body));
    if (code.startsWith('ok-'))
      return send({ openid: code.slice(3).split('~')[0], session_key: 'SESSION-KEY-never-out' });
    if (code.startsWith('union-')) {
      const [, openid, unionid] = code.split('-');
      return send({ openid, unionid, session_key: 'SESSION-KEY-never-out' });
    }
    if (code in ERRORS) return send({ errcode: ERRORS[code], errmsg: `error for ${code}` });
    if (code === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send({ openid: 'late', session_key: 'SESSION-KEY-never-out' });
      }, 2000);
      timers.add(timer);
      return;
    }
    if (code === 'garbage') return response.writeHead(200).end('<html>gateway</html>');
    if (code === 'http500') return response.writeHead(500).end('{}');
    return send({ errcode: 40029, errmsg: 'invalid code' });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise((done) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
