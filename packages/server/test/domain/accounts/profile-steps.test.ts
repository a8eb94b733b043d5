/**
 * Profile claims through the account steps (as the admin API and `sesame users` call them): set at
 * creation, changed and removed by `change`, `updated_at` kept by Sesame, and audit events that
 * name the claims but never hold their values.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimsForScopes } from '../../../src/domain/accounts/claims.js';
import { type DomainFixture, openDomainFixture } from '../fixture.js';

const PASSWORD = 'correct horse battery';

describe('profile claims through the account steps', () => {
  let f: DomainFixture;
  beforeEach(async () => {
    f = await openDomainFixture();
  });
  afterEach(() => f.close());

  it('create sets the initial profile and audits the claim names only', async () => {
    const user = await f.services.users.create(
      {
        username: 'alice',
        password: PASSWORD,
        profile: { name: 'Alice Liddell', email: 'alice@example.com', email_verified: true },
      },
      'cli',
    );
    const seconds = Math.floor(f.clock.now() / 1000);
    const stored = await f.services.users.find({ id: user.id });
    expect(stored?.profile).toEqual({
      name: 'Alice Liddell',
      email: 'alice@example.com',
      email_verified: true,
      updated_at: seconds,
    });
    const [event] = await f.audits('admin.user.created');
    expect(event?.details).toEqual({ claims: ['name', 'email', 'email_verified'] });
    expect(JSON.stringify(event)).not.toContain('Liddell');
    expect(JSON.stringify(event)).not.toContain('alice@example.com');
  });

  it('create without a profile leaves it empty and the audit as it was', async () => {
    const user = await f.services.users.create({ username: 'bob', password: PASSWORD }, 'cli');
    expect(user.profile).toEqual({});
    expect((await f.audits('admin.user.created'))[0]?.details).toEqual({});
  });

  it('create refuses a bad claim and creates nobody', async () => {
    await expect(
      f.services.users.create({ username: 'carol', password: PASSWORD, profile: { email: 'nope' } }, 'cli'),
    ).rejects.toMatchObject({ code: 'ERR_PROFILE_INVALID' });
    expect(await f.services.users.count()).toBe(0);
    expect(await f.audits('admin.user.created')).toEqual([]);
  });

  it('change replaces and removes claims in one audited event, without values', async () => {
    const user = await f.services.users.create(
      { username: 'alice', password: PASSWORD, profile: { name: 'Alice', nickname: 'Al' } },
      'test',
    );
    f.clock.advance(5000);
    const outcome = await f.services.users.change(
      user,
      { profile: { nickname: null, phone_number: '+441234567890', name: 'Alice' } },
      'admin-1',
    );
    expect(outcome.changedClaims).toEqual(['nickname', 'phone_number']); // name did not change
    const stored = await f.services.users.find({ id: user.id });
    expect(stored?.profile).toEqual({
      name: 'Alice',
      phone_number: '+441234567890',
      updated_at: Math.floor(f.clock.now() / 1000),
    });
    const events = await f.audits('admin.user.changed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'admin-1', subject: user.id });
    expect(events[0]?.details).toEqual({ changed: ['profile'], claims: ['nickname', 'phone_number'] });
    expect(JSON.stringify(events)).not.toContain('441234567890');
  });

  it('a change to the same values leaves updated_at alone', async () => {
    const user = await f.services.users.create(
      { username: 'alice', password: PASSWORD, profile: { name: 'Alice' } },
      'test',
    );
    const before = (await f.services.users.find({ id: user.id }))?.profile.updated_at;
    f.clock.advance(5000);
    expect(
      (await f.services.users.change(user, { profile: { name: 'Alice' } }, 'cli')).changedClaims,
    ).toEqual([]);
    expect((await f.services.users.find({ id: user.id }))?.profile.updated_at).toBe(before);
  });

  it('a bad claim refuses the whole change: the scopes given beside it stay as they were', async () => {
    const user = await f.services.users.create(
      { username: 'alice', password: PASSWORD, scopes: ['openid', 'quiz'] },
      'test',
    );
    await expect(
      f.services.users.change(user, { scopes: ['openid'], profile: { website: 'not a url' } }, 'cli'),
    ).rejects.toMatchObject({
      code: 'ERR_PROFILE_INVALID',
      message: 'the profile claim website must be an absolute URL',
    });
    expect((await f.services.users.find({ id: user.id }))?.scopes).toEqual(['openid', 'quiz']);
    expect(await f.audits('admin.user.changed')).toEqual([]);
  });
});

describe('claimsForScopes (Core §5.4)', () => {
  const user = {
    username: 'alice',
    profile: {
      name: 'Alice',
      updated_at: 1_700_000_000,
      email: 'alice@example.com',
      email_verified: true,
      phone_number: '+441234567890',
      address: { country: 'GB' },
    },
  };

  it.each([
    [['openid'], {}],
    [['profile'], { name: 'Alice', preferred_username: 'alice', updated_at: 1_700_000_000 }],
    [['email'], { email: 'alice@example.com', email_verified: true }],
    [['phone'], { phone_number: '+441234567890' }],
    [['address'], { address: { country: 'GB' } }],
    [['quiz', 'admin'], {}],
  ])('%j releases exactly its claims', (scopes, expected) => {
    expect(claimsForScopes(user, scopes)).toEqual(expected);
  });

  it('a preferred_username of the profile wins over the username', () => {
    expect(
      claimsForScopes({ username: 'alice', profile: { preferred_username: 'ally' } }, ['profile']),
    ).toEqual({ preferred_username: 'ally' });
  });
});
