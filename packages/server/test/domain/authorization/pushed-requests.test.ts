/**
 * The pushed-request steps alone (domain/authorization/pushed-requests.ts) over a real store: the
 * request_uri's form, and the seal that carries a pushed request through the pages — over exactly
 * its parameters (in any order), by this store's secret, for an hour. Each with its refused case.
 */
import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPushedRequests,
  REQUEST_URI_PREFIX,
  SEAL_MS,
} from '../../../src/domain/authorization/pushed-requests.js';
import type { Store } from '../../../src/store/types.js';

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

async function steps() {
  const store = await openTempStore();
  opened.push(store);
  const clock = testClock();
  return { pushed: createPushedRequests({ store, now: clock.now }), clock };
}

const PARAMS = { client_id: 'app', response_type: 'code', scope: 'openid', state: 's' };

describe('request_uri', () => {
  it('is the RFC 9126 URN with 256 random bits; only that form is looked up', async () => {
    const { pushed } = await steps();
    const { requestUri, expiresIn } = await pushed.push('app', PARAMS);
    expect(expiresIn).toBe(60);
    expect(requestUri.startsWith(REQUEST_URI_PREFIX)).toBe(true);
    const reference = requestUri.slice(REQUEST_URI_PREFIX.length);
    for (const other of [
      `https://x.example/${reference}`,
      `${requestUri}x`,
      `${REQUEST_URI_PREFIX}${reference.slice(1)}`,
    ]) {
      expect(await pushed.take(other, 'app')).toBeUndefined();
    }
    expect(await pushed.take(requestUri, 'app')).toEqual(PARAMS);
  });
});

describe('the seal', () => {
  it('holds over the same parameters in any order, and over nothing else', async () => {
    const { pushed } = await steps();
    const sealed = await pushed.seal(PARAMS);
    expect(await pushed.sealed(sealed)).toBe(true);
    const reordered = Object.fromEntries(Object.entries(sealed).reverse());
    expect(await pushed.sealed(reordered)).toBe(true);
    expect(await pushed.sealed({ ...sealed, scope: 'openid admin' })).toBe(false);
    expect(await pushed.sealed({ ...sealed, prompt: 'none' })).toBe(false);
    const { state: _dropped, ...fewer } = sealed;
    expect(await pushed.sealed(fewer)).toBe(false);
    expect(await pushed.sealed(PARAMS)).toBe(false);
  });

  it("is this store's: another store's seal over the same parameters is refused", async () => {
    const [a, b] = [await steps(), await steps()];
    expect(await b.pushed.sealed(await a.pushed.seal(PARAMS))).toBe(false);
  });

  it('lasts an hour: accepted just before, refused at the hour and when dated in the future', async () => {
    const { pushed, clock } = await steps();
    const sealed = await pushed.seal(PARAMS);
    clock.advance(SEAL_MS - 1);
    expect(await pushed.sealed(sealed)).toBe(true);
    clock.advance(1);
    expect(await pushed.sealed(sealed)).toBe(false);
    const future = await pushed.seal(PARAMS);
    clock.advance(-1);
    expect(await pushed.sealed(future)).toBe(false);
  });

  it('refuses malformed seals, and re-sealing replaces the old seal', async () => {
    const { pushed, clock } = await steps();
    for (const seal of ['', 'x', '1.', `${clock.now()}`, `${clock.now()}.short`, `-1.${'A'.repeat(43)}`]) {
      expect(await pushed.sealed({ ...PARAMS, pushed: seal })).toBe(false);
    }
    const first = await pushed.seal(PARAMS);
    clock.advance(1000);
    const again = await pushed.seal({ ...first, nonce: 'n' });
    expect(again.pushed).not.toBe(first.pushed);
    expect(await pushed.sealed(again)).toBe(true);
  });
});
