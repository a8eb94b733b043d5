import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createRemoteKeySet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type RemoteKeySetOptions,
  sign,
  verifyAsync,
} from '../src/index.js';
import { expectCode, expectCodeAsync } from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const first = generateKeyPair('ES256', { kid: 'k1' });
const second = generateKeyPair('ES256', { kid: 'k2' });

let server: Server;
let base = '';
let handler: Handler;
let requests: { url: string | undefined; headers: IncomingMessage['headers'] }[] = [];

const serveKeys =
  (keys: () => JWK[], contentType = 'application/json'): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(JSON.stringify({ keys: keys() }));
  };

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests = [];
  handler = serveKeys(() => [exportJWK(first.publicKey)]);
});

/** A remote key set on a clock the test moves by hand; its waits move the clock and are recorded. */
function remote(options: RemoteKeySetOptions = {}) {
  const clock = { now: 1_000_000 };
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    clock.now += ms;
  };
  const set = createRemoteKeySet(`${base}/jwks.json`, { now: () => clock.now, sleep, ...options });
  return { set, clock, slept };
}
const ES256 = { algorithms: ['ES256'] as const };
const verifyWith = (token: string, set: ReturnType<typeof remote>['set']) =>
  verifyAsync(token, set, { algorithms: [...ES256.algorithms] });

describe('createRemoteKeySet', () => {
  it('fetches once and serves from its cache until cacheMaxAgeMs', async () => {
    const { set, clock } = remote({ cacheMaxAgeMs: 60_000 });
    expect(set.current).toBeUndefined();
    const token = sign({ sub: 'u1' }, first.privateKey);
    expect((await verifyWith(token, set)).payload.sub).toBe('u1');
    expect((await verifyWith(token, set)).payload.sub).toBe('u1');
    clock.now += 60_000;
    await verifyWith(token, set);
    expect(requests).toHaveLength(1);
    expect(set.current?.jwks.keys[0]?.kid).toBe('k1');
    clock.now += 1;
    await verifyWith(token, set);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.url).toBe('/jwks.json');
    expect(requests[0]!.headers.accept).toContain('application/json');
  });

  it('refetches on an unknown kid at most once per cooldown, a select inside it waiting for its end', async () => {
    const { set, clock, slept } = remote({ cooldownMs: 30_000 });
    const unknown = sign({}, generateKeyPair('ES256', { kid: 'nope' }).privateKey);
    await set.select({ alg: 'ES256', kid: 'k1' });
    expect(requests).toHaveLength(1);
    // Inside the cooldown of the first fetch: waits for its end, then one fetch.
    await expectCodeAsync(() => verifyWith(unknown, set), 'ERR_JWKS_NO_MATCH');
    expect(slept).toEqual([30_000]);
    expect(requests).toHaveLength(2);
    // A flood of unknown kids at once shares one wait and one fetch.
    await Promise.all(
      Array.from({ length: 5 }, () => expectCodeAsync(() => verifyWith(unknown, set), 'ERR_JWKS_NO_MATCH')),
    );
    expect(slept).toEqual([30_000, 30_000]);
    expect(requests).toHaveLength(3);
    // Past the cooldown: no wait.
    clock.now += 30_000;
    await expectCodeAsync(() => verifyWith(unknown, set), 'ERR_JWKS_NO_MATCH');
    expect(slept).toHaveLength(2);
    expect(requests).toHaveLength(4);
  });

  it('picks up a rotated key at the end of the cooldown', async () => {
    let keys = [exportJWK(first.publicKey)];
    handler = serveKeys(() => keys);
    const { set, slept } = remote({ cooldownMs: 30_000 });
    expect((await verifyWith(sign({}, first.privateKey), set)).key.kid).toBe('k1');
    keys = [exportJWK(first.publicKey), exportJWK(second.publicKey)];
    const rotated = sign({ sub: 'new' }, second.privateKey);
    const result = await verifyWith(rotated, set);
    expect(result.payload.sub).toBe('new');
    expect(result.key.kid).toBe('k2');
    expect(slept).toEqual([30_000]);
    expect(requests).toHaveLength(2);
    expect((await verifyWith(sign({}, first.privateKey), set)).key.kid).toBe('k1');
    expect(requests).toHaveLength(2);
  });

  it('selectSync answers from the fetched set without waiting, undefined when only select can', async () => {
    let keys = [exportJWK(first.publicKey)];
    handler = serveKeys(() => keys);
    const { set, clock } = remote({ cacheMaxAgeMs: 60_000 });
    expect(set.selectSync({ alg: 'ES256', kid: 'k1' })).toBeUndefined(); // nothing fetched yet
    expect(requests).toHaveLength(0);
    await set.reload();
    expect(set.selectSync({ alg: 'ES256', kid: 'k1' })?.[0]?.kid).toBe('k1');
    expect(set.selectSync({ alg: 'ES256', kid: 'k2' })).toBeUndefined(); // unknown kid: no fetch here
    expect(requests).toHaveLength(1);
    expectCode(() => set.selectSync({ alg: 'none' }), 'ERR_JOSE_ALG_NOT_ALLOWED');
    // Stale: still answers, and one refresh starts in the background.
    keys = [exportJWK(second.publicKey)];
    clock.now += 60_001;
    expect(set.selectSync({ alg: 'ES256', kid: 'k1' })?.[0]?.kid).toBe('k1');
    expect(set.selectSync({ alg: 'ES256', kid: 'k1' })?.[0]?.kid).toBe('k1');
    await set.reload(); // joins the refresh under way
    expect(requests).toHaveLength(2);
    expect(set.selectSync({ alg: 'ES256', kid: 'k1' })).toBeUndefined();
    expect(set.selectSync({ alg: 'ES256', kid: 'k2' })?.[0]?.kid).toBe('k2');
  });

  it('shares one fetch between concurrent selects', async () => {
    handler = (req, res) => setTimeout(() => serveKeys(() => [exportJWK(first.publicKey)])(req, res), 50);
    const { set } = remote();
    const token = sign({}, first.privateKey);
    const results = await Promise.all(Array.from({ length: 10 }, () => verifyWith(token, set)));
    expect(results.every((result) => result.key.kid === 'k1')).toBe(true);
    expect(requests).toHaveLength(1);
    await Promise.all([set.reload(), set.reload(), set.reload()]);
    expect(requests).toHaveLength(2);
  });

  it('times out', async () => {
    handler = () => undefined; // never answers
    const { set } = remote({ timeoutMs: 100 });
    await expectCodeAsync(() => set.select({ alg: 'ES256' }), 'ERR_JWKS_TIMEOUT');
    await expectCodeAsync(() => verifyWith(sign({}, first.privateKey), set), 'ERR_JWKS_TIMEOUT');
  });

  it('times out on a body that never ends', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
    };
    const { set } = remote({ timeoutMs: 150 });
    await expectCodeAsync(() => set.select({ alg: 'ES256' }), 'ERR_JWKS_TIMEOUT');
  });

  const failures: [string, Handler][] = [
    [
      'a 500',
      (_req, res) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"keys":[]}');
      },
    ],
    [
      'a 404',
      (_req, res) => {
        res.writeHead(404);
        res.end();
      },
    ],
    [
      'a 204',
      (_req, res) => {
        res.writeHead(204);
        res.end();
      },
    ],
    [
      'a redirect (302), even to a good key set',
      (req, res) => {
        if (req.url === '/elsewhere') return serveKeys(() => [exportJWK(first.publicKey)])(req, res);
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      },
    ],
    ['an HTML content type', serveKeys(() => [exportJWK(first.publicKey)], 'text/html')],
    ['a text/plain content type', serveKeys(() => [exportJWK(first.publicKey)], 'text/plain')],
    ['no content type', (_req, res) => res.end(JSON.stringify({ keys: [exportJWK(first.publicKey)] }))],
    [
      'invalid JSON',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"keys":[');
      },
    ],
  ];
  for (const [what, failing] of failures) {
    it(`refuses ${what}`, async () => {
      handler = failing;
      const { set } = remote();
      await expectCodeAsync(() => set.select({ alg: 'ES256' }), 'ERR_JWKS_FETCH');
      await expectCodeAsync(() => verifyWith(sign({}, first.privateKey), set), 'ERR_JWKS_FETCH');
      expect(requests.every((request) => request.url === '/jwks.json')).toBe(true);
      expect(set.current).toBeUndefined();
    });
  }

  it('accepts application/jwk-set+json with parameters', async () => {
    handler = serveKeys(() => [exportJWK(first.publicKey)], 'application/jwk-set+json; charset=utf-8');
    const { set } = remote();
    expect((await set.select({ alg: 'ES256', kid: 'k1' }))[0]!.kid).toBe('k1');
  });

  it('keeps serving the last good set when a refresh fails', async () => {
    const { set, clock } = remote({ cacheMaxAgeMs: 1_000, cooldownMs: 0 });
    const token = sign({}, first.privateKey);
    await verifyWith(token, set);
    handler = (_req, res) => {
      res.writeHead(503);
      res.end();
    };
    clock.now += 5_000;
    expect((await verifyWith(token, set)).key.kid).toBe('k1');
    expect(requests).toHaveLength(2);
    clock.now += 5_000;
    await expectCodeAsync(() => verifyWith(sign({}, second.privateKey), set), 'ERR_JWKS_NO_MATCH');
    expect((await verifyWith(token, set)).key.kid).toBe('k1');
    await expectCodeAsync(() => set.reload(), 'ERR_JWKS_FETCH');
    expect(set.current?.jwks.keys).toHaveLength(1);
  });

  it('retries after a failed first fetch', async () => {
    let up = false;
    handler = (req, res) => {
      if (up) return serveKeys(() => [exportJWK(first.publicKey)])(req, res);
      res.writeHead(500);
      res.end();
    };
    const { set } = remote();
    await expectCodeAsync(() => set.select({ alg: 'ES256' }), 'ERR_JWKS_FETCH');
    up = true;
    expect((await set.select({ alg: 'ES256' }))[0]!.kid).toBe('k1');
    expect(requests).toHaveLength(2);
  });

  it('sends the extra headers', async () => {
    const { set } = remote({ headers: { 'x-sesame': 'yes' } });
    await set.reload();
    expect(requests[0]!.headers['x-sesame']).toBe('yes');
  });

  it('refuses URLs that are not http(s) and bad options', () => {
    for (const url of [
      'file:///etc/passwd',
      'ftp://127.0.0.1/jwks.json',
      'data:application/json,{}',
      'not a url',
      '',
    ]) {
      expectCode(() => createRemoteKeySet(url), 'ERR_OPTION_INVALID');
    }
    expect(createRemoteKeySet(new URL(`${base}/jwks.json`)).current).toBeUndefined();
    expect(createRemoteKeySet('https://id.example/jwks.json').current).toBeUndefined();
    for (const options of [
      { timeoutMs: -1 },
      { cacheMaxAgeMs: Number.NaN },
      { cooldownMs: Number.POSITIVE_INFINITY },
    ]) {
      expectCode(() => createRemoteKeySet(`${base}/jwks.json`, options), 'ERR_OPTION_INVALID');
    }
  });
});
