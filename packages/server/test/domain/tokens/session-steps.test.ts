/** Ending one session (DELETE /admin/sessions/{id}): its answer and its one audit event. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DomainFixture, openDomainFixture } from '../fixture.js';

describe('session steps', () => {
  let f: DomainFixture;
  let userId: string;
  beforeEach(async () => {
    f = await openDomainFixture();
    userId = (await f.services.users.create({ username: 'alice', password: 'correct horse battery' }, 'test'))
      .id;
  });
  afterEach(() => f.close());

  it('ends a live session once: its token stops rotating, one audit event names the actor', async () => {
    const session = await f.services.sessions.issue({ userId, clientId: 'app', scope: 'read' });
    expect((await f.services.sessions.listForUser(userId)).map((family) => family.id)).toEqual([
      session.family.id,
    ]);
    expect(await f.services.sessions.end(session.family.id, 'admin-1')).toBe('ended');
    expect((await f.services.sessions.rotate(session.refreshToken)).ok).toBe(false);
    expect(await f.services.sessions.listForUser(userId)).toEqual([]);
    expect(await f.services.sessions.end(session.family.id, 'admin-1')).toBe('already');
    const events = (await f.audits('revocation')).filter((event) => event.details.scope === 'session');
    expect(events.map((event) => [event.actor, event.subject])).toEqual([['admin-1', session.family.id]]);
  });

  it('an unknown session is answered as unknown and audits nothing', async () => {
    expect(await f.services.sessions.end('no-such-session', 'admin-1')).toBe('unknown');
    expect(await f.audits('revocation')).toEqual([]);
  });

  it("ending a user's sessions also refuses their access tokens without a session", async () => {
    const session = await f.services.sessions.issue({ userId, clientId: 'app', scope: 'read' });
    const token = f.services.accessTokens.issue({
      subject: userId,
      clientId: 'app',
      scopes: ['read'],
      audience: 'api',
    });
    const claims = f.services.accessTokens.verify(token.token);
    f.clock.advance(2000);
    expect(await f.services.users.endSessions(userId, 'admin-1')).toEqual([session.family.id]);
    expect(await f.services.revocations.isRevoked(claims)).toBe(true);
    expect((await f.audits('revocation')).map((event) => event.details)).toEqual([
      { sessions: 1, scope: 'user' },
    ]);
  });
});
