/**
 * Fetching a client's jwks_uri under the server's SSRF rules: a local listener records every
 * request, so "refused" is proven by a hit count of zero, not by an error message alone.
 */
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeySetFetch } from '../../../src/domain/clients/jwks-fetch.js';
import { isPublicAddress } from '../../../src/domain/clients/public-address.js';

let server: Server;
let port: number;
const hits: string[] = [];
const JWKS = JSON.stringify({ keys: [] });

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(request.url ?? '');
    if (request.url === '/jwks') response.writeHead(200, { 'content-type': 'application/json' }).end(JWKS);
    else if (request.url === '/big')
      response.writeHead(200, { 'content-type': 'application/json' }).end('x'.repeat(100_000));
    else if (request.url === '/moved') response.writeHead(302, { location: '/jwks' }).end();
    else if (request.url === '/silent')
      return; // never answers
    else response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** A resolver answering fixed addresses for any name: what a hostile DNS would say. */
function resolvingTo(...addresses: string[]) {
  return ((_host: string, _options: unknown, callback: (e: null, a: LookupAddress[]) => void) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    )) as never;
}

async function hitsDuring(run: () => Promise<unknown>): Promise<{ hits: number; error: unknown }> {
  const before = hits.length;
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { hits: hits.length - before, error };
}

describe('isPublicAddress', () => {
  it.each([
    ['93.184.215.14', true],
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['169.254.169.254', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.0.1', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:a9fe:a9fe', false],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::a9fe:a9fe', false],
    ['fe80::1', false],
    ['fd12::1', false],
    ['not an address', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('createKeySetFetch', () => {
  it('allowed (the development switch): fetches the key set', async () => {
    const fetch = createKeySetFetch({ allowPrivate: true });
    const response = await fetch(`http://127.0.0.1:${port}/jwks`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(JWKS);
  });

  it('a name resolving to loopback or the metadata address is refused before any connection', async () => {
    for (const answer of [['127.0.0.1'], ['169.254.169.254'], ['93.184.215.14', '127.0.0.1'], ['::1']]) {
      const fetch = createKeySetFetch({ allowPrivate: false, lookup: resolvingTo(...answer) });
      // https: the rule under test is the address; the listener is plain http, so a connection
      // would still be recorded (as a TLS handshake it cannot parse) if one were made.
      const result = await hitsDuring(() => fetch(`https://keys.example:${port}/jwks`));
      expect(result.hits, answer.join()).toBe(0);
      expect(String(result.error)).toMatch(/non-public address/);
    }
  });

  it('the same name resolving to a public address is allowed through to connect', async () => {
    // 192.0.2.0/24 is documentation (refused); 127.0.0.1 allowed only with the switch: the check is
    // the resolver's answer, so the switch lets the same hostile answer through.
    const fetch = createKeySetFetch({ allowPrivate: true, lookup: resolvingTo('127.0.0.1') });
    const response = await fetch(`http://keys.example:${port}/jwks`);
    expect(response.status).toBe(200);
  });

  it('address literals and http are refused without the switch; nothing is requested', async () => {
    const fetch = createKeySetFetch({ allowPrivate: false });
    for (const url of [
      `https://127.0.0.1:${port}/jwks`,
      `https://[::ffff:127.0.0.1]:${port}/jwks`,
      `https://169.254.169.254/latest/meta-data/`,
      `http://keys.example:${port}/jwks`,
    ]) {
      const result = await hitsDuring(() => fetch(url));
      expect(result.hits, url).toBe(0);
      expect(String(result.error), url).toMatch(/non-public address|must be https/);
    }
  });

  it('a redirect is not followed; a body past the cap is cut off', async () => {
    const fetch = createKeySetFetch({ allowPrivate: true, maxBytes: 10_000 });
    const before = hits.length;
    const moved = await fetch(`http://127.0.0.1:${port}/moved`);
    expect(moved.status).toBe(302);
    expect(hits.slice(before)).toEqual(['/moved']);
    await expect(fetch(`http://127.0.0.1:${port}/big`)).rejects.toThrow(/larger than 10000 bytes/);
  });

  it("the caller's signal ends a fetch the host never answers", async () => {
    const fetch = createKeySetFetch({ allowPrivate: true });
    const controller = new AbortController();
    const pending = fetch(`http://127.0.0.1:${port}/silent`, { signal: controller.signal });
    // Abort once the listener has the request: an event, not a sleep.
    while (!hits.includes('/silent')) await new Promise((done) => setImmediate(done));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
