/**
 * The "change a user" step behind PATCH /admin/users/{id} and `sesame users disable|enable|scopes|
 * passwd`: its side effects (sessions, denylist) and its one audit event.
 */

import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import type { Services } from '../../../src/domain/services.js';
import type { Store } from '../../../src/store/types.js';
import { createServices } from '../../../src/wiring.js';

describe('changeUser', () => {
  let store: Store & { file: string };
  let services: Services;
  let user: { id: string; scopes: string[] };
  const clock = testClock();
  const changes = async () =>
    (await store.listAuditEvents({ limit: 100 })).filter((event) => event.type === 'admin.user.changed');
  /** A session (refresh family) and an access token of alice, as a login would leave them. */
  const signIn = async () => {
    const family = await services.sessions.issue({ userId: user.id, clientId: 'app', scope: 'read write' });
    const token = services.accessTokens.issue({
      subject: user.id,
      clientId: 'app',
      scopes: ['read', 'write'],
      audience: 'api',
    });
    return { refresh: family.refreshToken, claims: services.accessTokens.verify(token.token) };
  };

  beforeEach(async () => {
    store = await openTempStore();
    const config = loadConfig({ values: { logLevel: 'silent' } });
    services = await createServices({ config, store, now: clock.now, rotateKeys: false });
    const created = await services.users.create(
      {
        username: 'alice',
        password: 'correct horse battery',
        scopes: ['read', 'write'],
      },
      'test',
    );
    user = { id: created.id, scopes: [...created.scopes] };
    clock.advance(2000); // tokens issued before the change, in an earlier second
  });
  afterEach(async () => {
    await services.close();
    await store.close();
  });

  it('disabling ends every session, refuses earlier access tokens and audits who did it', async () => {
    const { refresh, claims } = await signIn();
    clock.advance(2000);
    const outcome = await services.users.change(user, { disabled: true }, 'cli');
    expect(outcome.endedSessions).toHaveLength(1);
    expect((await services.sessions.rotate(refresh)).ok).toBe(false);
    expect(await services.revocations.isRevoked(claims)).toBe(true);
    expect((await services.users.find({ id: user.id }))?.disabled).toBe(true);
    const [event] = await changes();
    expect(event).toMatchObject({ actor: 'cli', subject: user.id });
    expect(event?.details).toEqual({ changed: ['disabled'], disabled: true, sessions: 1 });
  });

  it('enabling ends nothing', async () => {
    const { refresh, claims } = await signIn();
    await services.users.change(user, { disabled: false }, 'admin-1');
    expect((await services.sessions.rotate(refresh)).ok).toBe(true);
    expect(await services.revocations.isRevoked(claims)).toBe(false);
    expect((await changes())[0]?.details).toEqual({ changed: ['disabled'], disabled: false });
  });

  it('a new password ends every session, and the audit never holds the password', async () => {
    const { claims } = await signIn();
    clock.advance(2000);
    const outcome = await services.users.change(user, { password: 'a brand new passphrase' }, null);
    expect(outcome.endedSessions).toHaveLength(1);
    expect(await services.revocations.isRevoked(claims)).toBe(true);
    const [event] = await changes();
    expect(event?.details).toEqual({ changed: ['password'], sessions: 1 });
    expect(JSON.stringify(event)).not.toContain('a brand new passphrase');
  });

  it('taking a scope away names it and refuses earlier tokens; adding one withdraws nothing', async () => {
    const { claims } = await signIn();
    clock.advance(2000);
    expect(
      (await services.users.change(user, { scopes: ['read', 'write', 'extra'] }, 'cli')).removedScopes,
    ).toEqual([]);
    expect(await services.revocations.isRevoked(claims)).toBe(false);
    const outcome = await services.users.change(
      { ...user, scopes: ['read', 'write', 'extra'] },
      { scopes: ['read'] },
      'cli',
    );
    expect(outcome.removedScopes).toEqual(['write', 'extra']);
    expect(outcome.endedSessions).toEqual([]);
    expect(await services.revocations.isRevoked(claims)).toBe(true);
    expect((await changes()).map((event) => event.details)).toEqual(
      expect.arrayContaining([
        { changed: ['scopes'], removedScopes: ['write', 'extra'] },
        { changed: ['scopes'] },
      ]),
    );
  });
});
