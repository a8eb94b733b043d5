/**
 * The assertion verifier on its own: the jti is spent in the store only after everything else
 * holds (a forged assertion writes nothing), the marker lives until exp, and a store that cannot
 * record it fails the request instead of letting the assertion through.
 */
import { createLocalKeySet, exportJWK, generateKeyPair, type JWKS, sign } from '@sesame/jwt';
import { testClock } from '@sesame/testkit/app';
import { describe, expect, it } from 'vitest';
import { createClientAssertions } from '../../../src/domain/clients/client-assertion.js';
import { StoreError } from '../../../src/store/errors.js';
import { aClient } from '../../store/conformance/fixtures.js';

const ISSUER = 'https://id.example';
const pair = generateKeyPair('ES256', { kid: 'k' });
const stranger = generateKeyPair('ES256', { kid: 'k' });
const client = aClient({
  clientId: 'c1',
  tokenEndpointAuthMethod: 'private_key_jwt',
  jwks: { keys: [exportJWK(pair.publicKey)] },
});

function setUp(markUsedOnce: (key: string, expiresAt: number, now: number) => Promise<boolean>) {
  const clock = testClock(1_800_000_000_000);
  const assertions = createClientAssertions({
    store: { markUsedOnce },
    keySets: { of: (c) => createLocalKeySet(c.jwks as unknown as JWKS) },
    issuer: ISSUER,
    tokenEndpoint: `${ISSUER}/oauth/token`,
    maxLifetimeMs: 300_000,
    now: clock.now,
  });
  const make = (key = pair.privateKey, exp = clock.now() / 1000 + 60) =>
    sign({ iss: 'c1', sub: 'c1', aud: ISSUER, jti: 'j1', exp }, key, { issuedAt: false });
  return { clock, assertions, make };
}

describe('createClientAssertions', () => {
  it('spends the jti until exp (plus leeway), under a key that names the client and hides the jti', async () => {
    const marks: Array<[string, number, number]> = [];
    const { assertions, make, clock } = setUp(async (...args) => (marks.push(args), true));
    await assertions.verify(client, make(), `${ISSUER}/oauth/token`);
    expect(marks).toHaveLength(1);
    const [key, expiresAt, at] = marks[0]!;
    expect(key).toMatch(/^client-assertion:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('j1');
    expect(expiresAt).toBe(clock.now() + 60_000 + 30_000);
    expect(at).toBe(clock.now());
  });

  it('a forged or out-of-bounds assertion writes nothing to the store', async () => {
    const marks: string[] = [];
    const { assertions, make, clock } = setUp(async (key) => (marks.push(key), true));
    for (const bad of [make(stranger.privateKey), make(pair.privateKey, clock.now() / 1000 + 3_600)]) {
      await expect(assertions.verify(client, bad, `${ISSUER}/oauth/token`)).rejects.toMatchObject({
        code: 'ERR_ASSERTION_INVALID',
      });
    }
    expect(marks).toEqual([]);
  });

  it('a replay is ERR_ASSERTION_REPLAYED; a store that cannot record fails the request (closed)', async () => {
    const replay = setUp(async () => false);
    await expect(replay.assertions.verify(client, replay.make(), ISSUER)).rejects.toMatchObject({
      code: 'ERR_ASSERTION_REPLAYED',
    });
    const down = setUp(async () => {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'the database is unreachable');
    });
    await expect(down.assertions.verify(client, down.make(), ISSUER)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
  });
});
