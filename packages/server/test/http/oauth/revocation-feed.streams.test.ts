import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basic, openTempStore } from '@sesame/testkit/app';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';
import type { Store } from '../../../src/store/types.js';

// Many guards following one server: the store is read by one poll per process, not one per stream.

let app: Awaited<ReturnType<typeof buildApp>>;
let store: Awaited<ReturnType<typeof openTempStore>>;
let reads = 0;
let url: string;
let auth: string;
const open: Array<() => void> = [];

beforeAll(async () => {
  store = await openTempStore();
  const counted: Store = {
    ...store,
    listRevocations: (...args) => {
      reads++;
      return store.listRevocations(...args);
    },
  };
  app = await buildApp({
    config: loadConfig({ values: { logLevel: 'silent' } }),
    store: counted,
    logger: false,
  });
  const feed = await app.sesame.clients.create(
    {
      name: 'feed reader',
      clientId: 'feed-reader',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      scopes: [],
      redirectUris: [],
      permissions: ['revocations'],
    },
    'test',
  );
  auth = basic('feed-reader', feed.clientSecret!);
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/oauth/revocations/stream`;
});
afterAll(async () => {
  for (const close of open) close();
  await app.close();
  await store.close();
});

/** Opens a stream and resolves once its first bytes arrived; it stays open (and read) until the end. */
const openStream = () =>
  new Promise<void>((resolve, reject) => {
    const req = request(url, { headers: { authorization: auth }, agent: false }, (res) => {
      expect(res.statusCode).toBe(200);
      res.once('data', () => resolve());
      res.resume();
    });
    req.on('error', reject);
    req.end();
    open.push(() => req.destroy());
  });

it('200 open streams are served by one store read per poll, not one per stream', async () => {
  await Promise.all(Array.from({ length: 200 }, openStream));
  const hub = app.sesame.revocationFeed;
  await vi.waitFor(() => expect(hub.stats().live).toBe(200), { timeout: 15_000 });
  // Every store read from here on is the shared poll's (the streams are idle, no request runs):
  // two counters taken at the same moments must move together.
  const [reads0, polls0] = [reads, hub.stats().pollReads];
  await vi.waitFor(() => expect(hub.stats().pollReads).toBeGreaterThanOrEqual(polls0 + 4), {
    timeout: 15_000,
  });
  const [reads1, polls1] = [reads, hub.stats().pollReads];
  expect(reads1 - reads0).toBe(polls1 - polls0);
});
