import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JwtPayload, type Key, sign } from '@sesame/jwt';
import type { RevocationEntry } from '../../src/index.js';

export const CLIENT_ID = 'quiz api';
export const CLIENT_SECRET = 'feed:secret/ü';

/**
 * A small stand-in for the Sesame server in tests: RFC 8414 metadata, a JWKS that can rotate,
 * and the revocation feed (JSON pages and Server-Sent Events) with switchable outages.
 */
export interface TestIssuer {
  issuer: string;
  url: (path: string) => string;
  /** Signs an access token with the current key (RFC 9068 header and claims by default). */
  token(claims?: JwtPayload, options?: { typ?: string | null; key?: Key; expiresIn?: number }): string;
  /** Publishes a new key and signs with it; the old key stays published unless `dropOld`. */
  rotate(dropOld?: boolean): void;
  revoke(entry: Omit<RevocationEntry, 'seq'>): RevocationEntry;
  /** Makes the feed unreachable (connections are destroyed) or reachable again. */
  setFeedDown(down: boolean): void;
  /** Makes the stream path answer 404, so the guard must poll. */
  setStreamSupported(supported: boolean): void;
  requests: { path: string; authorization: string | undefined; lastEventId: string | undefined }[];
  metadataIssuer: string | undefined;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  let current = generateKeyPair('ES256', { kid: 'k1' });
  let published = [current.publicKey];
  let kidCounter = 1;
  const entries: RevocationEntry[] = [];
  const streams = new Set<ServerResponse>();
  let feedDown = false;
  let streamSupported = true;
  const requests: TestIssuer['requests'] = [];
  const expectedAuth = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID).replace(/%20/g, '+')}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const live = (since: number) =>
    entries.filter((entry) => entry.seq > since && entry.expires_at > Date.now() / 1000);
  const writeEntry = (res: ServerResponse, entry: RevocationEntry) =>
    res.write(`id: ${entry.seq}\nevent: revocation\ndata: ${JSON.stringify(entry)}\n\n`);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
      lastEventId: req.headers['last-event-id'] as string | undefined,
    });
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      return json(res, 200, {
        issuer: state.metadataIssuer ?? issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
      });
    }
    if (url.pathname === '/.well-known/jwks.json') {
      return json(res, 200, { keys: published.map((key) => exportJWK(key)) });
    }
    if (!url.pathname.startsWith('/oauth/revocations')) return json(res, 404, { error: 'not_found' });
    if (feedDown) return req.socket.destroy();
    if (req.headers.authorization !== expectedAuth) {
      res.setHeader('www-authenticate', 'Basic');
      return json(res, 401, { error: 'invalid_client' });
    }
    const since = Number(req.headers['last-event-id'] ?? url.searchParams.get('since') ?? 0);
    if (url.pathname === '/oauth/revocations') {
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      const page = live(since).slice(0, limit);
      const last = page.at(-1)?.seq ?? since;
      return json(res, 200, { cursor: String(last), entries: page, more: live(last).length > 0 });
    }
    if (url.pathname === '/oauth/revocations/stream' && streamSupported) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': connected\n\n');
      for (const entry of live(since)) writeEntry(res, entry);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    return json(res, 404, { error: 'not_found' });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state = {
    issuer,
    url: (path: string) => issuer + path,
    requests,
    metadataIssuer: undefined as string | undefined,
    token(claims: JwtPayload = {}, options: { typ?: string | null; key?: Key; expiresIn?: number } = {}) {
      const iat = Math.floor(Date.now() / 1000);
      const payload = { iss: issuer, aud: 'quiz-api', iat, exp: iat + (options.expiresIn ?? 900) };
      const all = { ...payload, sub: 'user-1', scope: 'quiz', jti: `j-${Math.random()}`, ...claims };
      return sign(all, options.key ?? current.privateKey, {
        typ: options.typ === undefined ? 'at+jwt' : options.typ,
        issuedAt: false,
      });
    },
    rotate(dropOld = false) {
      current = generateKeyPair('ES256', { kid: `k${++kidCounter}` });
      published = dropOld ? [current.publicKey] : [...published, current.publicKey];
    },
    revoke(entry: Omit<RevocationEntry, 'seq'>) {
      const full = { seq: (entries.at(-1)?.seq ?? 100) + 1, ...entry };
      entries.push(full);
      for (const res of streams) writeEntry(res, full);
      return full;
    },
    setFeedDown(down: boolean) {
      feedDown = down;
      if (down) for (const res of streams) res.destroy();
    },
    setStreamSupported(supported: boolean) {
      streamSupported = supported;
      if (!supported) for (const res of streams) res.destroy();
    },
    close: async () => {
      for (const res of streams) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}

/** Waits until `check` returns true, polling every 20 ms; fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}
