/**
 * The key sets of private_key_jwt clients: an inline set as registered; a jwks_uri fetched once and
 * cached for its TTL, fetched again on an unknown kid at most once per cooldown (a flood of random
 * kids costs one fetch), and a new set at once when the registration changes. The clock and the
 * cooldown's wait are injected: nothing sleeps.
 */
import { exportJWK, generateKeyPair } from '@sesame/jwt';
import { testClock } from '@sesame/testkit/app';
import { describe, expect, it } from 'vitest';
import { createClientKeySets } from '../../../src/domain/clients/client-keys.js';
import type { Client } from '../../../src/store/types.js';
import { aClient } from '../../store/conformance/fixtures.js';

const first = exportJWK(generateKeyPair('ES256', { kid: 'a' }).publicKey);
const second = exportJWK(generateKeyPair('ES256', { kid: 'b' }).publicKey);

function setUp() {
  const clock = testClock();
  const fetched: string[] = [];
  const waits: number[] = [];
  let served = [first];
  let failing = false;
  const fetch = (async (url: string | URL) => {
    fetched.push(String(url));
    if (failing) return new Response('down', { status: 500 });
    return new Response(JSON.stringify({ keys: served }), {
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  const sets = createClientKeySets({
    allowPrivate: false,
    timeoutMs: 1_000,
    cacheMaxAgeMs: 60_000,
    cooldownMs: 5_000,
    now: clock.now,
    fetch,
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
  });
  return {
    clock,
    fetched,
    waits,
    sets,
    serve: (keys: typeof served) => (served = keys),
    fail: (down: boolean) => (failing = down),
  };
}

const byUri = (uri = 'https://rp.example/jwks'): Client =>
  aClient({ clientId: 'rp', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: uri, jwks: null });

describe('client key sets', () => {
  it('a client without keys has no set; inline keys are used as registered, without a fetch', async () => {
    const { sets, fetched } = setUp();
    expect(sets.of(aClient())).toBeUndefined();
    const inline = sets.of(aClient({ jwks: { keys: [first] } }))!;
    expect((await inline.select({ alg: 'ES256', kid: 'a' })).map((key) => key.kid)).toEqual(['a']);
    expect(fetched).toEqual([]);
  });

  it('a jwks_uri is fetched once, cached, and fetched again after its TTL', async () => {
    const { sets, fetched, clock } = setUp();
    const client = byUri();
    await sets.of(client)!.select({ alg: 'ES256', kid: 'a' });
    await sets.of(client)!.select({ alg: 'ES256', kid: 'a' });
    expect(fetched).toEqual(['https://rp.example/jwks']);
    clock.advance(61_000);
    await sets.of(client)!.select({ alg: 'ES256', kid: 'a' });
    expect(fetched).toHaveLength(2);
  });

  it('an unknown kid refetches after the cooldown; a flood of unknown kids costs one fetch', async () => {
    const { sets, fetched, waits, serve } = setUp();
    const set = sets.of(byUri())!;
    await set.select({ alg: 'ES256', kid: 'a' });
    serve([first, second]); // the client rotated in a new key
    const found = await set.select({ alg: 'ES256', kid: 'b' });
    expect(found.map((key) => key.kid)).toEqual(['b']);
    expect(fetched).toHaveLength(2);
    expect(waits).toEqual([5_000]); // the new fetch waited out the cooldown of the first
    const flood = await Promise.allSettled(['x', 'y', 'z'].map((kid) => set.select({ alg: 'ES256', kid })));
    expect(flood.every((result) => result.status === 'rejected')).toBe(true);
    expect(fetched).toHaveLength(3);
  });

  it('a key set URL that fails is fetched at most once per cooldown (no amplifier for anonymous callers)', async () => {
    const { sets, fetched, clock, fail } = setUp();
    fail(true);
    const set = sets.of(byUri())!;
    for (let i = 0; i < 5; i++) await expect(set.select({ alg: 'ES256', kid: 'a' })).rejects.toThrow();
    expect(fetched).toHaveLength(1);
    clock.advance(5_000);
    fail(false);
    const found = await set.select({ alg: 'ES256', kid: 'a' });
    expect(found.map((key) => key.kid)).toEqual(['a']);
    expect(fetched).toHaveLength(2);
    // Once fetched, a failing refresh keeps the last good set serving.
    fail(true);
    clock.advance(61_000);
    expect((await set.select({ alg: 'ES256', kid: 'a' })).map((key) => key.kid)).toEqual(['a']);
  });

  it('a changed jwks_uri makes a new set at once', async () => {
    const { sets, fetched } = setUp();
    await sets.of(byUri())!.select({ alg: 'ES256', kid: 'a' });
    await sets.of(byUri('https://rp.example/keys-2'))!.select({ alg: 'ES256', kid: 'a' });
    expect(fetched).toEqual(['https://rp.example/jwks', 'https://rp.example/keys-2']);
  });
});
