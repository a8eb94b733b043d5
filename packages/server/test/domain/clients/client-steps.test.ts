/** The client steps behind /admin/clients and `sesame clients`: side effects and audit events. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DomainFixture, openDomainFixture } from '../fixture.js';

describe('client steps', () => {
  let f: DomainFixture;
  let clientId: string;
  beforeEach(async () => {
    f = await openDomainFixture();
    const made = await f.services.clients.create(
      { name: 'quiz app', grantTypes: ['client_credentials', 'refresh_token'], scopes: ['quiz'] },
      'admin-1',
    );
    clientId = made.client.clientId;
  });
  afterEach(() => f.close());

  it('registering audits who did it and never the secret', async () => {
    const made = await f.services.clients.create(
      { name: 'other', grantTypes: ['client_credentials'] },
      'cli',
    );
    const events = await f.audits('admin.client.created');
    expect(events.map((event) => [event.actor, event.subject])).toEqual([
      ['admin-1', clientId],
      ['cli', made.client.clientId],
    ]);
    expect(JSON.stringify(events)).not.toContain(made.clientSecret!);
  });

  it('changing permissions audits the new list; an unknown client is refused and not audited', async () => {
    await f.services.clients.change(clientId, { permissions: ['introspect'] }, 'admin-1');
    expect((await f.audits('admin.client.changed')).map((event) => event.details)).toEqual([
      { changed: ['permissions'], permissions: ['introspect'] },
    ]);
    await expect(f.services.clients.change('nobody', { permissions: [] }, 'admin-1')).rejects.toMatchObject({
      code: 'ERR_CLIENT_NOT_FOUND',
    });
    expect(await f.audits('admin.client.changed')).toHaveLength(1);
  });

  it('removing ends its sessions, refuses its access tokens at once, and audits it', async () => {
    const session = await f.services.sessions.issue({ userId: null, clientId, scope: 'quiz' });
    const token = f.services.accessTokens.issue({
      subject: clientId,
      clientId,
      scopes: ['quiz'],
      audience: 'api',
    });
    const claims = f.services.accessTokens.verify(token.token);
    f.clock.advance(2000);
    expect(await f.services.clients.remove(clientId, 'cli')).toEqual([session.family.id]);
    expect(await f.services.clients.find(clientId)).toBeUndefined();
    expect((await f.services.sessions.rotate(session.refreshToken)).ok).toBe(false);
    expect(await f.services.revocations.isRevoked(claims)).toBe(true);
    expect((await f.audits('admin.client.removed')).map((event) => [event.actor, event.details])).toEqual([
      ['cli', { sessions: 1 }],
    ]);
  });

  it('removing an unknown client is refused, withdraws nothing and is not audited', async () => {
    const token = f.services.accessTokens.issue({
      subject: clientId,
      clientId,
      scopes: ['quiz'],
      audience: 'api',
    });
    await expect(f.services.clients.remove('nobody', 'cli')).rejects.toMatchObject({
      code: 'ERR_CLIENT_NOT_FOUND',
    });
    expect(await f.services.revocations.isRevoked(f.services.accessTokens.verify(token.token))).toBe(false);
    expect(await f.audits('admin.client.removed')).toEqual([]);
  });
});
