/**
 * Back-channel logout delivery (Back-Channel Logout 1.0 §2.4–§2.8) against real local receivers:
 * the logout token verified with jose against the JWKS, retries with an exponential back-off on a
 * receiver that fails twice, a receiver that never answers (the timeout), and what is never
 * retried, followed or read. The back-off's timer is injected: it records each wait and runs at
 * once, so no test sleeps.
 */
import { exportJWK, generateKeyPair, type JWK } from '@sesame/jwt';
import { type LogoutReceiver, startLogoutReceiver } from '@sesame/testkit';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import {
  type BackchannelOptions,
  createBackchannelLogout,
  type LogoutNotice,
} from '../../../src/domain/tokens/backchannel-logout.js';
import { BACKCHANNEL_LOGOUT_EVENT, createLogoutTokens } from '../../../src/domain/tokens/logout-token.js';
import type { AuditEvent } from '../../../src/store/types.js';
import { verifyLogoutToken } from '../../helpers/logout-receiver.js';

const NOW = 1_700_000_000_000;
const ISSUER = 'http://127.0.0.1:8080';
const NOTICE: LogoutNotice = { clientId: 'web', userId: 'u-1', sid: 'the-session-id' };
const receivers: LogoutReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(answer?: Parameters<typeof startLogoutReceiver>[0]) {
  const started = await startLogoutReceiver(answer);
  receivers.push(started);
  return started;
}

type Audited = Pick<AuditEvent, 'type'> & Partial<AuditEvent>;

/** Deliveries to `uri` (the client `web`'s back-channel URI), the waits they asked for, the audit. */
function setUp(
  uri: string | null,
  options: Partial<BackchannelOptions> = {},
  values: Record<string, unknown> = {},
) {
  const { privateKey, publicKey } = generateKeyPair('ES256', { kid: 'k1' });
  const jwks = { keys: [{ ...exportJWK(publicKey), kid: 'k1', alg: 'ES256' } as JWK] };
  const config = loadConfig({ values: { logLevel: 'silent', ...values } });
  const audits: Audited[] = [];
  const waits: number[] = [];
  const backchannel = createBackchannelLogout({
    clients: { find: async (id) => (id === 'web' ? { backchannelLogoutUri: uri } : undefined) },
    tokens: createLogoutTokens({
      config,
      keys: { algorithms: ['ES256'], signingKey: () => privateKey },
      now: () => NOW,
    }),
    audit: async (event) => {
      audits.push(event);
    },
    timers: {
      schedule(run, ms) {
        waits.push(ms);
        setImmediate(run);
        return () => undefined;
      },
    },
    ...options,
  });
  const attempts = () => audits.filter((event) => event.type === 'logout.backchannel.attempt');
  const outcome = () => audits.filter((event) => event.type === 'logout.backchannel');
  return { backchannel, jwks, audits, waits, attempts, outcome };
}

describe('back-channel logout delivery', () => {
  it('POSTs a logout token a relying party verifies against the JWKS: its client, the user, the session', async () => {
    const rp = await receiver();
    const { backchannel, jwks, audits, waits, attempts, outcome } = setUp(`${rp.base}/logout`);
    backchannel.notify([NOTICE]);
    await backchannel.settled();
    expect(rp.received).toHaveLength(1);
    const [got] = rp.received;
    expect(got!.path).toBe('/logout');
    expect(got!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(got!.fields)).toEqual(['logout_token']);
    const token = got!.fields.logout_token!;
    const payload = await verifyLogoutToken(token, jwks, {
      issuer: ISSUER,
      audience: 'web',
      currentDate: new Date(NOW),
    });
    const iat = NOW / 1000;
    expect(payload).toEqual({
      iss: ISSUER,
      sub: 'u-1',
      aud: 'web',
      iat,
      exp: iat + 120,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sid: 'the-session-id',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    expect(payload).not.toHaveProperty('nonce');
    // The token is no ID token: a relying party's ID token check (typ JWT) refuses it; nor is it
    // another client's.
    await expect(
      jwtVerify(token, createLocalJWKSet(jwks as JSONWebKeySet), { typ: 'JWT', currentDate: new Date(NOW) }),
    ).rejects.toMatchObject({ claim: 'typ' });
    await expect(
      verifyLogoutToken(token, jwks, { issuer: ISSUER, audience: 'other', currentDate: new Date(NOW) }),
    ).rejects.toMatchObject({ claim: 'aud' });
    expect(waits).toEqual([]);
    expect(attempts()).toEqual([
      expect.objectContaining({
        actor: 'system',
        subject: 'u-1',
        clientId: 'web',
        details: { sid: 'the-session-id', attempt: 1, status: 200 },
      }),
    ]);
    expect(outcome()).toEqual([
      expect.objectContaining({ details: { sid: 'the-session-id', result: 'delivered', attempts: 1 } }),
    ]);
    expect(JSON.stringify(audits)).not.toContain(token);
    expect(JSON.stringify(audits)).not.toContain(token.split('.')[2]);
  });

  it('tries again after 1 s and 2 s when the receiver fails twice, and is delivered at the third', async () => {
    const rp = await receiver((n) => (n < 2 ? 503 : 200));
    const { backchannel, waits, attempts, outcome } = setUp(`${rp.base}/logout`);
    backchannel.notify([NOTICE]);
    await backchannel.settled();
    expect(rp.received).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
    expect(attempts().map((event) => event.details)).toEqual([
      { sid: NOTICE.sid, attempt: 1, status: 503 },
      { sid: NOTICE.sid, attempt: 2, status: 503 },
      { sid: NOTICE.sid, attempt: 3, status: 200 },
    ]);
    expect(outcome()[0]!.details).toEqual({ sid: NOTICE.sid, result: 'delivered', attempts: 3 });
    // Each attempt is a new logout token (a new jti), not the same one resent.
    const jtis = rp.received.map(
      (got) => JSON.parse(Buffer.from(got.fields.logout_token!.split('.')[1]!, 'base64url').toString()).jti,
    );
    expect(new Set(jtis).size).toBe(3);
  });

  it('gives up after five attempts (1, 2, 4, 8 s apart) at a receiver that never answers in time', async () => {
    const rp = await receiver(() => 'hang');
    const { backchannel, waits, attempts, outcome } = setUp(`${rp.base}/logout`, { timeoutMs: 100 });
    backchannel.notify([NOTICE]);
    await backchannel.settled();
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(attempts().map((event) => event.details?.error)).toEqual([
      'timeout',
      'timeout',
      'timeout',
      'timeout',
      'timeout',
    ]);
    expect(outcome()[0]!.details).toEqual({ sid: NOTICE.sid, result: 'failed', attempts: 5 });
    expect(rp.received).toHaveLength(5);
  });

  it('retries a receiver that cannot be reached', async () => {
    const rp = await receiver();
    const closed = rp.base;
    await rp.close();
    receivers.splice(receivers.indexOf(rp), 1);
    const { backchannel, attempts, outcome } = setUp(`${closed}/logout`, { attempts: 2 });
    backchannel.notify([NOTICE]);
    await backchannel.settled();
    expect(attempts().map((event) => event.details?.error)).toEqual(['network', 'network']);
    expect(outcome()[0]!.details).toMatchObject({ result: 'failed', attempts: 2 });
  });

  it('does not retry a refusal (400), follows no redirect, and never reads the body', async () => {
    for (const [answer, status] of [
      [400, 400],
      ['redirect', 307],
    ] as const) {
      const rp = await receiver(() => answer);
      const { backchannel, waits, attempts, outcome } = setUp(`${rp.base}/logout`);
      backchannel.notify([NOTICE]);
      await backchannel.settled();
      expect(waits).toEqual([]);
      expect(attempts().map((event) => event.details?.status)).toEqual([status]);
      expect(outcome()[0]!.details).toMatchObject({ result: 'failed', attempts: 1 });
      // The redirect's target was never asked.
      expect(rp.received.map((got) => got.path)).toEqual(['/logout']);
    }
    const endless = await receiver(() => 'endless');
    const { backchannel, outcome } = setUp(`${endless.base}/logout`);
    backchannel.notify([NOTICE]);
    await backchannel.settled();
    expect(outcome()[0]!.details).toMatchObject({ result: 'delivered', attempts: 1 });
  });

  it('tells no client without a back-channel URI, no unknown client, and nobody in HMAC mode', async () => {
    const rp = await receiver();
    const none = setUp(null);
    none.backchannel.notify([NOTICE, { ...NOTICE, clientId: 'unknown' }]);
    await none.backchannel.settled();
    expect(none.audits).toEqual([]);
    const hmac = setUp(
      `${rp.base}/logout`,
      {},
      { tokenProfile: 'classic', hmacSecret: 'the-classic-shared-secret-32-bytes-long!' },
    );
    hmac.backchannel.notify([NOTICE]);
    await hmac.backchannel.settled();
    expect(hmac.audits).toEqual([]);
    expect(rp.received).toEqual([]);
  });

  it('returns from notify at once, and drops the retries still waiting when closed', async () => {
    const rp = await receiver(() => 503);
    let cancelled = false;
    let scheduled!: () => void;
    const backOffStarted = new Promise<void>((resolve) => {
      scheduled = resolve;
    });
    const { backchannel, attempts, outcome } = setUp(`${rp.base}/logout`, {
      // A back-off that never ends by itself: only close() ends it.
      timers: {
        schedule() {
          scheduled();
          return () => {
            cancelled = true;
          };
        },
      },
    });
    backchannel.notify([NOTICE]);
    expect(rp.received).toHaveLength(0); // nothing was sent before notify returned
    await backOffStarted;
    await backchannel.close();
    expect(cancelled).toBe(true);
    expect(attempts()).toHaveLength(1);
    expect(outcome()[0]!.details).toEqual({ sid: NOTICE.sid, result: 'stopped', attempts: 1 });
    backchannel.notify([NOTICE]);
    await backchannel.settled();
    expect(rp.received).toHaveLength(1);
  });
});
