import type { GuardError } from '@sesame/guard';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverJwksUri, discoverMetadata, metadataUrl, ProtocolError } from '../src/index.js';
import { AUDIENCE, GUARD_JWKS, guardToken, startGuard } from './agreement/entry-points.js';
import { DISCOVERY_ISSUER, discoveryTable, JWKS_URL, METADATA_URL } from './tables/discovery.js';

const ISSUER = 'https://id.example/tenant';

/** A fetch stand-in: each URL answers what `routes` says; records what was asked and how. */
function fakeFetch(routes: Record<string, () => Response>) {
  const calls: { url: string; redirect: RequestInit['redirect'] }[] = [];
  const impl = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, redirect: init?.redirect });
    const route = routes[url];
    if (route === undefined) return new Response('not found', { status: 404 });
    return route();
  }) as typeof fetch;
  return { impl, calls };
}

const json = (body: unknown, init?: ResponseInit) =>
  new Response(JSON.stringify(body), { ...init, headers: { 'content-type': 'application/json' } });
const RFC8414 = 'https://id.example/.well-known/oauth-authorization-server/tenant';
const OPENID = 'https://id.example/tenant/.well-known/openid-configuration';

async function code(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
}

describe('discovery (RFC 8414, OpenID Connect Discovery)', () => {
  it('builds the well-known URLs of both specifications', () => {
    expect(metadataUrl('https://id.example').href).toBe(
      'https://id.example/.well-known/oauth-authorization-server',
    );
    expect(metadataUrl('https://id.example/').href).toBe(
      'https://id.example/.well-known/oauth-authorization-server',
    );
    expect(metadataUrl('https://id.example/tenant/').href).toBe(RFC8414);
    expect(metadataUrl(ISSUER, 'openid-configuration').href).toBe(OPENID);
    expect(metadataUrl('https://id.example', 'openid-configuration').href).toBe(
      'https://id.example/.well-known/openid-configuration',
    );
  });

  it.each([
    ['not a URL', 'id.example'],
    ['a query', 'https://id.example/?tenant=a'],
    ['an empty query', 'https://id.example/?'],
    ['a fragment', 'https://id.example/#a'],
    ['another scheme', 'ftp://id.example'],
  ])('refuses an issuer with %s', async (_name, issuer) => {
    expect(() => metadataUrl(issuer)).toThrow(expect.objectContaining({ code: 'ERR_DISCOVERY_ISSUER_URL' }));
    expect(await code(discoverMetadata(issuer, { fetch: fakeFetch({}).impl }))).toBe(
      'ERR_DISCOVERY_ISSUER_URL',
    );
  });

  it('returns the metadata whose issuer is identical, without following redirects', async () => {
    const { impl, calls } = fakeFetch({
      [RFC8414]: () => json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` }),
    });
    expect((await discoverJwksUri(ISSUER, { fetch: impl })).href).toBe(`${ISSUER}/jwks`);
    expect(calls).toEqual([{ url: RFC8414, redirect: 'manual' }]);
  });

  it('tries OpenID Connect Discovery after a 404 only when asked to', async () => {
    const routes = { [OPENID]: () => json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` }) };
    const both = fakeFetch(routes);
    const found = await discoverMetadata(ISSUER, {
      fetch: both.impl,
      kinds: ['oauth-authorization-server', 'openid-configuration'],
    });
    expect(found.url.href).toBe(OPENID);
    expect(both.calls.map((call) => call.url)).toEqual([RFC8414, OPENID]);
    expect(await code(discoverMetadata(ISSUER, { fetch: fakeFetch(routes).impl }))).toBe(
      'ERR_DISCOVERY_STATUS',
    );
  });

  it.each([
    ['a trailing slash the issuer does not have', { issuer: `${ISSUER}/`, jwks_uri: 'https://id.example/j' }],
    ['another host', { issuer: 'https://look-alike.example/tenant', jwks_uri: 'https://id.example/j' }],
    ['another case', { issuer: 'https://ID.example/tenant', jwks_uri: 'https://id.example/j' }],
    ['no issuer', { jwks_uri: 'https://id.example/j' }],
  ])('refuses metadata naming %s', async (_name, body) => {
    const { impl } = fakeFetch({ [RFC8414]: () => json(body) });
    expect(await code(discoverMetadata(ISSUER, { fetch: impl }))).toBe('ERR_DISCOVERY_ISSUER_MISMATCH');
  });

  it('compares the issuer as given: with a trailing slash, the metadata must have it too', async () => {
    const { impl } = fakeFetch({
      'https://id.example/.well-known/oauth-authorization-server': () =>
        json({ issuer: 'https://id.example' }),
    });
    expect(await code(discoverMetadata('https://id.example/', { fetch: impl }))).toBe(
      'ERR_DISCOVERY_ISSUER_MISMATCH',
    );
    expect((await discoverMetadata('https://id.example', { fetch: impl })).metadata.issuer).toBe(
      'https://id.example',
    );
  });

  it.each([
    [
      'a redirect',
      () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }),
      'ERR_DISCOVERY_STATUS',
    ],
    ['a 500', () => new Response('oops', { status: 500 }), 'ERR_DISCOVERY_STATUS'],
    ['not JSON', () => new Response('<html>', { status: 200 }), 'ERR_DISCOVERY_INVALID'],
    ['a JSON array', () => json([ISSUER]), 'ERR_DISCOVERY_INVALID'],
    [
      'a declared length over the cap',
      () => new Response('{}', { headers: { 'content-length': String(300 * 1024) } }),
      'ERR_DISCOVERY_TOO_LARGE',
    ],
    [
      'a streamed body over the cap',
      () => json({ issuer: ISSUER, padding: 'x'.repeat(300 * 1024) }),
      'ERR_DISCOVERY_TOO_LARGE',
    ],
    ['no jwks_uri', () => json({ issuer: ISSUER }), 'ERR_DISCOVERY_INVALID'],
    [
      'a jwks_uri that is not a URL',
      () => json({ issuer: ISSUER, jwks_uri: 'jwks' }),
      'ERR_DISCOVERY_INVALID',
    ],
    [
      'a file: jwks_uri',
      () => json({ issuer: ISSUER, jwks_uri: 'file:///etc/passwd' }),
      'ERR_DISCOVERY_INVALID',
    ],
  ])('refuses %s', async (_name, answer, expected) => {
    const { impl } = fakeFetch({ [RFC8414]: answer });
    expect(await code(discoverJwksUri(ISSUER, { fetch: impl }))).toBe(expected);
  });

  it('turns a network failure into ERR_DISCOVERY_FETCH', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    expect(await code(discoverMetadata(ISSUER, { fetch: failing }))).toBe('ERR_DISCOVERY_FETCH');
  });

  it('accepts a body just under the cap', async () => {
    const body = JSON.stringify({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks`, pad: '' });
    const padded = JSON.stringify({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/jwks`,
      pad: 'x'.repeat(1000 - body.length),
    });
    const { impl } = fakeFetch({ [RFC8414]: () => new Response(padded) });
    expect((await discoverMetadata(ISSUER, { fetch: impl, maxBytes: 1000 })).metadata.issuer).toBe(ISSUER);
    const over = fakeFetch({ [RFC8414]: () => new Response(`${padded} `) });
    expect(await code(discoverMetadata(ISSUER, { fetch: over.impl, maxBytes: 1000 }))).toBe(
      'ERR_DISCOVERY_TOO_LARGE',
    );
  });
});

/**
 * THE discovery rule, one table through the protocol's discoverJwksUri and a guard that discovers
 * its keys (a refused document leaves it without keys: 503 keys_unavailable). The CLI's
 * `sesame token verify --issuer` calls the same discoverJwksUri (packages/tools/src/discovery.ts).
 */
describe('discovery, through the protocol and the guard', () => {
  const routes = (answer: () => Response) => ({
    [METADATA_URL]: answer,
    [JWKS_URL]: () =>
      new Response(JSON.stringify(GUARD_JWKS), { headers: { 'content-type': 'application/json' } }),
  });
  let guard: ReturnType<typeof startGuard> | undefined;
  afterEach(() => guard?.close());

  it.each(discoveryTable)('protocol: %s', async (_name, answer, expected) => {
    const { impl } = fakeFetch(routes(answer));
    expect((await code(discoverJwksUri(DISCOVERY_ISSUER, { fetch: impl }))) ?? 'ok').toBe(expected);
  });

  it.each(discoveryTable)('guard: %s', async (_name, answer, expected) => {
    const { impl } = fakeFetch(routes(answer));
    guard = startGuard({ issuer: DISCOVERY_ISSUER, audience: AUDIENCE, key: undefined, fetch: impl });
    const token = guardToken({ iss: DISCOVERY_ISSUER });
    const outcome = await guard.authenticate(`Bearer ${token}`).then(
      () => 'ok',
      (error: GuardError) => error.reason,
    );
    expect(outcome).toBe(expected === 'ok' ? 'ok' : 'keys_unavailable');
  });
});
