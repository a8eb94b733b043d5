/**
 * The token path's shortcuts (found by `npx tsx bench/profile.ts`), each shown to keep its
 * guarantee: audit events committed in groups are each still awaited until committed, and a failed
 * group fails every caller in it; a remembered client is forgotten when removed, and for no longer
 * than a second when removed elsewhere; unknown clients are never remembered.
 */

import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClientService, createClientService } from '../../../src/domain/clients/clients.js';
import { groupBatch, groupCommit } from '../../../src/store/sql/group-commit.js';
import type { Store } from '../../../src/store/types.js';

describe('group commit', () => {
  it('writes the items of one turn in one group, in order, and resolves each after the write', async () => {
    const groups: number[][] = [];
    let written = false;
    const add = groupCommit<number>(async (items) => {
      groups.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      written = true;
    });
    const pending = [add(1), add(2), add(3)];
    expect(groups).toEqual([]); // nothing before the turn ends
    await pending[0];
    expect(written).toBe(true); // not acknowledged before the write finished
    await Promise.all(pending);
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it('sends items arriving during a write in the next group', async () => {
    const groups: number[][] = [];
    let later: Promise<void> | undefined;
    const add = groupCommit<number>(async (items) => {
      groups.push(items);
      if (later === undefined) later = add(9);
    });
    await add(1);
    await later;
    expect(groups).toEqual([[1], [9]]);
  });

  it('rejects every caller of a failed group, and the next group still runs', async () => {
    let fail = true;
    const add = groupCommit<number>(async () => {
      if (fail) throw new Error('disk full');
    });
    const results = await Promise.allSettled([add(1), add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(add(3)).resolves.toBeUndefined();
  });

  it('caps a group at maxGroup items', async () => {
    const sizes: number[] = [];
    const add = groupCommit<number>(async (items) => {
      sizes.push(items.length);
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map(add));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('with answers: each caller gets its own, and an item answered with an Error is rejected alone', async () => {
    const groups: number[][] = [];
    const square = groupBatch<number, number>(async (items) => {
      groups.push(items);
      return items.map((n) => (n === 3 ? new Error('three failed') : n * n));
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map(square));
    expect(groups).toEqual([[1, 2, 3, 4]]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'fulfilled', value: 4 },
      { status: 'rejected', reason: new Error('three failed') },
      { status: 'fulfilled', value: 16 },
    ]);
  });
});

describe('the remembered clients of client authentication', () => {
  let store: Store;
  let clients: ClientService;
  const clock = testClock();

  beforeEach(async () => {
    store = await openTempStore();
    clients = createClientService({ store, now: clock.now });
  });
  afterEach(() => store.close());

  it('forgets a client removed through the service at once', async () => {
    const { client } = await clients.create({ name: 'a', grantTypes: ['client_credentials'] });
    expect((await clients.find(client.clientId))?.clientId).toBe(client.clientId);
    await clients.remove(client.clientId);
    expect(await clients.find(client.clientId)).toBeUndefined();
  });

  it('stops finding a client removed elsewhere within a second, or at once when told', async () => {
    const a = await clients.create({ name: 'a', grantTypes: ['client_credentials'] });
    const b = await clients.create({ name: 'b', grantTypes: ['client_credentials'] });
    await clients.find(a.client.clientId);
    await clients.find(b.client.clientId);
    await store.deleteClient(a.client.clientId); // the CLI, another worker
    await store.deleteClient(b.client.clientId);
    clients.forget(b.client.clientId); // the admin API of this process
    expect(await clients.find(b.client.clientId)).toBeUndefined();
    clock.advance(1_000);
    expect(await clients.find(a.client.clientId)).toBeUndefined();
  });

  it('never remembers an unknown client: one created afterwards is found at once', async () => {
    expect(await clients.find('later')).toBeUndefined();
    await clients.create({ clientId: 'later', name: 'later', grantTypes: ['client_credentials'] });
    expect((await clients.find('later'))?.clientId).toBe('later');
  });

  it('hands out a frozen client, so no request can change what the next one sees', async () => {
    const { client } = await clients.create({ name: 'a', grantTypes: ['client_credentials'], scopes: ['x'] });
    const found = (await clients.find(client.clientId))!;
    expect(Object.isFrozen(found)).toBe(true);
    expect(() => (found.scopes as string[]).push('admin')).toThrow(TypeError);
  });
});

describe('the access log', () => {
  it('writes one line per request, when it completes, with the URL credentials redacted', async () => {
    const { Writable } = await import('node:stream');
    const { buildApp } = await import('../../../src/app.js');
    const { loadConfig } = await import('../../../src/config/config.js');
    const { loggerOptions } = await import('../../../src/logger.js');
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const store = await openTempStore();
    const config = loadConfig({ values: { logLevel: 'info' } });
    const app = await buildApp({ config, store, logger: { ...loggerOptions(config), stream } });
    try {
      await app.inject({ url: '/healthz?access_token=eyJ.secret.sig' });
      const requestLines = lines.filter((line) => line.reqId !== undefined);
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({
        msg: 'request completed',
        method: 'GET',
        url: '/healthz?access_token=[redacted]',
        statusCode: 200,
      });
      expect(JSON.stringify(lines)).not.toContain('secret');
    } finally {
      await app.close();
      await store.close();
    }
  });
});
