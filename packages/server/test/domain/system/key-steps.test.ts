/** The key steps behind /admin/keys and `sesame keys rotate|revoke`: audited, feed written first. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DomainFixture, openDomainFixture } from '../fixture.js';

describe('key steps', () => {
  let f: DomainFixture;
  beforeEach(async () => {
    f = await openDomainFixture({ algorithm: 'ES256' });
  });
  afterEach(() => f.close());

  const current = (alg = 'ES256') =>
    f.services.keys.list().find((key) => key.state === 'current' && key.alg === alg)!.kid;

  it('a forced rotation signs with the next key of each algorithm and audits who forced it', async () => {
    const before = [current(), current('RS256')];
    await f.services.keys.rotate('admin-1');
    expect(current()).not.toBe(before[0]);
    expect(current('RS256')).not.toBe(before[1]);
    expect(f.services.keys.signingKey('RS256').kid).toBe(current('RS256'));
    expect((await f.audits('key.rotated')).map((event) => [event.actor, event.details])).toEqual([
      ['admin-1', { forced: true, algorithms: ['ES256', 'RS256'] }],
    ]);
  });

  it('revoking writes a kid entry to the feed, unpublishes the key and audits its former state', async () => {
    const kid = current();
    expect(await f.services.keys.revoke(kid, 'cli')).toBe('current');
    expect(f.services.keys.jwks().keys.map((key) => key.kid)).not.toContain(kid);
    const feed = await f.services.revocationFeed.page(0, 10);
    expect(feed.map((entry) => [entry.kind, entry.value])).toEqual([['kid', kid]]);
    expect(
      (await f.audits('key.revoked')).map((event) => [event.actor, event.subject, event.details]),
    ).toEqual([['cli', kid, { state: 'current' }]]);
  });

  it('an unknown kid is refused before anything is written to the feed or the audit trail', async () => {
    await expect(f.services.keys.revoke('no-such-kid', 'cli')).rejects.toMatchObject({
      code: 'ERR_KEYRING_KEY_NOT_FOUND',
    });
    expect(await f.services.revocationFeed.page(0, 10)).toEqual([]);
    expect(await f.audits('key.revoked')).toEqual([]);
  });
});
