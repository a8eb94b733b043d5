/** Creating users and remembering consents: the steps write their own audit events. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DomainFixture, openDomainFixture } from '../fixture.js';

describe('account and consent steps', () => {
  let f: DomainFixture;
  beforeEach(async () => {
    f = await openDomainFixture();
  });
  afterEach(() => f.close());

  it('creating a user audits the actor and never the password; a taken name audits nothing', async () => {
    const user = await f.services.users.create(
      { username: 'alice', password: 'correct horse battery' },
      'admin-1',
    );
    await expect(
      f.services.users.create({ username: 'alice', password: 'another long password' }, 'admin-1'),
    ).rejects.toMatchObject({ code: 'ERR_USERNAME_TAKEN' });
    const events = await f.audits('admin.user.created');
    expect(events.map((event) => [event.actor, event.subject])).toEqual([['admin-1', user.id]]);
    expect(JSON.stringify(events)).not.toContain('correct horse battery');
    expect(await f.services.users.count()).toBe(1);
  });

  it('a consent adds to what was allowed before; revoking it ends the sessions with that client only', async () => {
    const { id } = await f.services.users.create(
      { username: 'alice', password: 'correct horse battery' },
      'test',
    );
    for (const clientId of ['web', 'other'])
      await f.services.clients.create(
        { name: clientId, clientId, grantTypes: ['client_credentials'] },
        'test',
      );
    await f.services.consents.grant({ userId: id, clientId: 'web', scopes: ['openid'], ip: '192.0.2.1' });
    await f.services.consents.grant({ userId: id, clientId: 'web', scopes: ['quiz'], ip: '192.0.2.1' });
    expect((await f.services.consents.find(id, 'web'))?.scopes).toEqual(['openid', 'quiz']);
    expect((await f.audits('consent.granted')).map((event) => event.details)).toEqual([
      { scope: 'openid' },
      { scope: 'quiz' },
    ]);
    const web = await f.services.sessions.issue({ userId: id, clientId: 'web', scope: 'quiz' });
    const other = await f.services.sessions.issue({ userId: id, clientId: 'other', scope: 'quiz' });
    expect(await f.services.consents.revoke(id, 'web', 'cli')).toEqual({
      removed: true,
      sessions: [web.family.id],
    });
    expect((await f.services.sessions.rotate(other.refreshToken)).ok).toBe(true);
    expect(await f.services.consents.list(id)).toEqual([]);
    expect(await f.services.consents.revoke(id, 'web', 'cli')).toEqual({ removed: false, sessions: [] });
    expect(await f.audits('consent.revoked')).toHaveLength(1);
  });

  it('a refusal is audited and remembers nothing', async () => {
    await f.services.consents.deny({ userId: 'u1', clientId: 'web', ip: '192.0.2.1' });
    expect(await f.services.consents.find('u1', 'web')).toBeUndefined();
    expect((await f.audits('consent.denied')).map((event) => [event.actor, event.clientId])).toEqual([
      ['u1', 'web'],
    ]);
  });
});
