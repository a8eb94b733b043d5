/** The password login step: gate, check, record, audit — for the grant and the login form alike. */

import { openTempStore, testClock } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import type { Services } from '../../../src/domain/services.js';
import type { Store } from '../../../src/store/types.js';
import { createServices } from '../../../src/wiring.js';

describe('passwordLogin', () => {
  let store: Store & { file: string };
  let services: Services;
  let aliceId: string;
  const clock = testClock();
  const attempt = (password: string, extra: { via?: string; ip?: string } = {}) =>
    services.users.passwordLogin({ username: 'alice', password, clientId: 'app', ip: '192.0.2.1', ...extra });
  const events = async (type: string) =>
    (await store.listAuditEvents({ limit: 100 })).filter((event) => event.type === type);

  beforeEach(async () => {
    store = await openTempStore();
    const config = loadConfig({ values: { logLevel: 'silent', throttleFreeFailures: 2 } });
    services = await createServices({ config, store, now: clock.now, rotateKeys: false });
    aliceId = (await services.users.create({ username: 'alice', password: 'correct horse battery' }, 'test'))
      .id;
  });
  afterEach(async () => {
    await services.close();
    await store.close();
  });

  it('logs in with the right password and audits login.ok (with the route it came through)', async () => {
    const outcome = await attempt('correct horse battery', { via: 'authorize' });
    expect(outcome.ok && outcome.user.id).toBe(aliceId);
    const [ok] = await events('login.ok');
    expect(ok).toMatchObject({ actor: aliceId, subject: aliceId, clientId: 'app', ip: '192.0.2.1' });
    expect(ok?.details).toEqual({ rehashed: false, via: 'authorize' });
  });

  it('refuses a wrong password, audits login.failed without the password', async () => {
    expect(await attempt('wrong password')).toEqual({ ok: false, reason: 'refused' });
    const [failed] = await events('login.failed');
    expect(failed).toMatchObject({ subject: aliceId, clientId: 'app' });
    expect(failed?.details).toEqual({ reason: 'invalid_credentials' });
    expect(JSON.stringify(failed)).not.toContain('wrong password');
    expect(await events('login.ok')).toHaveLength(0);
  });

  it('refuses an unknown user the same way, with no subject', async () => {
    const outcome = await services.users.passwordLogin({
      username: 'nobody',
      password: 'correct horse battery',
      clientId: 'app',
      ip: '192.0.2.1',
    });
    expect(outcome).toEqual({ ok: false, reason: 'refused' });
    expect((await events('login.failed'))[0]?.subject).toBeNull();
  });

  it('refuses a disabled user even with the right password', async () => {
    await services.users.change({ id: aliceId, scopes: [] }, { disabled: true }, 'test');
    expect(await attempt('correct horse battery')).toEqual({ ok: false, reason: 'refused' });
  });

  it('throttles after the free failures: the right password is not even checked, and it is audited', async () => {
    for (let i = 0; i < 3; i += 1) await attempt('wrong password');
    const outcome = await attempt('correct horse battery');
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toBe('throttled');
    expect(!outcome.ok && outcome.reason === 'throttled' && outcome.retryAfterSeconds).toBeGreaterThanOrEqual(
      1,
    );
    expect(await events('login.ok')).toHaveLength(0);
    const [throttled] = await events('login.throttled');
    expect(throttled).toMatchObject({ subject: aliceId, clientId: 'app' });
  });
});
