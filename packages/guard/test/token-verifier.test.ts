import { exportJWK, generateKeyPair, sign } from '@sesame/jwt';
import { expect, it } from 'vitest';
import { createTokenVerifier } from '../src/lib/token-verifier.js';

// The guard verifies through the jwt package's remote key set: once a kid is known, verification
// does not wait for anything (a plain value, not a promise); only the first token, an unknown kid
// or nothing fetched yet takes the asynchronous path.

const ISSUER = 'https://id.example';
const first = generateKeyPair('ES256', { kid: 'k1' });
const second = generateKeyPair('ES256', { kid: 'k2' });

function setup() {
  let keys = [exportJWK(first.publicKey)];
  let fetches = 0;
  const clock = { now: Date.now() };
  const fakeFetch = (async () => {
    fetches++;
    return new Response(JSON.stringify({ keys }), { headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  const verify = createTokenVerifier({
    issuer: ISSUER,
    audience: 'api',
    algorithms: ['ES256'],
    typ: undefined,
    clockTolerance: 0,
    jwksUri: new URL(`${ISSUER}/jwks.json`),
    fetch: fakeFetch,
    now: () => clock.now,
    cacheSize: 0,
    cacheMaxAgeMs: 600_000,
    cooldownMs: 0,
  });
  const token = (key = first.privateKey, sub = 'u1') =>
    // iat from the injected clock too: the real one may have moved past it (clockTolerance 0).
    sign({ iss: ISSUER, aud: 'api', sub, exp: Math.floor(clock.now / 1000) + 60 }, key, {
      issuedAt: Math.floor(clock.now / 1000),
    });
  return {
    verify,
    token,
    clock,
    fetches: () => fetches,
    publish: (...jwks: ReturnType<typeof exportJWK>[]) => {
      keys = jwks;
    },
  };
}

const isPromise = (value: unknown) => typeof (value as Promise<unknown>)?.then === 'function';

it('verifies synchronously once the kid is known, asynchronously before', async () => {
  const t = setup();
  const firstResult = t.verify(t.token());
  expect(isPromise(firstResult)).toBe(true);
  expect((await firstResult).payload.sub).toBe('u1');
  const again = t.verify(t.token(first.privateKey, 'u2'));
  expect(isPromise(again)).toBe(false);
  expect((again as Awaited<typeof firstResult>).payload.sub).toBe('u2');
  expect(t.fetches()).toBe(1);
});

it('an unknown kid takes the asynchronous path and one fetch; then it is known', async () => {
  const t = setup();
  await t.verify(t.token());
  t.publish(exportJWK(first.publicKey), exportJWK(second.publicKey));
  const rotated = t.verify(t.token(second.privateKey));
  expect(isPromise(rotated)).toBe(true);
  expect((await rotated).kid).toBe('k2');
  expect(t.fetches()).toBe(2);
  expect(isPromise(t.verify(t.token(second.privateKey, 'u3')))).toBe(false);
});

it('a set past its age still verifies synchronously while one refresh runs in the background', async () => {
  const t = setup();
  await t.verify(t.token());
  t.clock.now += 600_001;
  expect(isPromise(t.verify(t.token(first.privateKey, 'a')))).toBe(false);
  expect(isPromise(t.verify(t.token(first.privateKey, 'b')))).toBe(false);
  expect(t.fetches()).toBe(2);
});
