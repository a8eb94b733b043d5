/**
 * Issue 5's Redis fault test: two real instances on PostgreSQL + Redis, A failing closed (the
 * default) and B configured to fail open, while Redis is stopped and started again. Redis down:
 * tokens are still issued, login throttling counts per instance, A's revocation check refuses what
 * it cannot check and B's asks the database, and /readyz says "degraded". Redis back: all of it
 * recovers by itself, and a revocation made on one instance reaches the other again.
 */

import { eventually, freePort } from '@sesame/testkit';
import { afterAll, expect, it } from 'vitest';
import { serve, stopAll } from '../helpers/processes.js';
import { describeWithServices } from '../helpers/services.js';
import { faultDeployment, PASSWORD, post, readyz } from './fault-deployment.js';
import { restoreServices, startRedis, stopRedis } from './service-control.js';

await describeWithServices(['PostgreSQL', 'Redis'], 'Redis stopped and started', () => {
  afterAll(async () => {
    stopAll();
    await restoreServices();
  });

  it('keeps issuing, throttles per instance, fails closed (or open) and recovers', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    // Two free failures, then a 30 s back-off; each phase logs in from its own address.
    const deployment = await faultDeployment(portA, {
      SESAME_THROTTLE_FREE_FAILURES: '2',
      SESAME_THROTTLE_BASE_DELAY: '30s',
      SESAME_TRUST_PROXY: '1', // one hop: the X-Forwarded-For entry each request sends
    });
    const { appId, basic, env } = deployment;
    try {
      const a = await serve(portA, env);
      const b = await serve(portB, { ...env, SESAME_REVOCATION_FAIL_MODE: 'open' });
      const token = (port: number) =>
        post(port, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic });
      const login = (port: number, username: string, password: string, from: string) =>
        post(
          port,
          '/oauth/token',
          { grant_type: 'password', client_id: appId, username, password },
          { 'x-forwarded-for': from },
        );
      const active = async (port: number, accessToken: string) =>
        (await post(port, '/oauth/introspect', { token: accessToken }, { authorization: basic })).body.active;
      /** Three failures on A; then what one more attempt gets on A and on B. */
      const throttled = async (username: string, from: string) => {
        for (let i = 0; i < 3; i++) await login(portA, username, 'wrong password', from);
        return [
          (await login(portA, username, 'x', from)).status,
          (await login(portB, username, 'x', from)).status,
        ];
      };

      // Redis up: one shared budget, tokens active everywhere, ready.
      const issued = await token(portA);
      expect(issued.status).toBe(200);
      const accessToken = issued.body.access_token as string;
      expect(await active(portA, accessToken)).toBe(true);
      expect(await active(portB, accessToken)).toBe(true);
      expect((await readyz(portA)).body).toEqual({ status: 'ok', dependencies: { redis: 'ok' } });
      expect(await throttled('mallory', '192.0.2.1')).toEqual([429, 429]);

      try {
        await stopRedis();
        await eventually(async () => (await readyz(portA)).body.status === 'degraded', 10_000);
        const ready = await readyz(portA);
        expect(ready.status).toBe(200);
        expect(ready.body).toEqual({ status: 'degraded', dependencies: { redis: 'unavailable' } });
        // Issuance does not depend on Redis.
        expect((await token(portA)).status).toBe(200);
        expect((await token(portB)).status).toBe(200);
        expect((await login(portA, 'alice', PASSWORD, '192.0.2.2')).status).toBe(200);
        // Per-instance counters: A throttles, B has seen none of A's failures.
        expect(await throttled('trudy', '192.0.2.3')).toEqual([429, 400]);
        // Fail closed on A (the default), open on B (the database says the token is fine).
        expect(await active(portA, accessToken)).toBe(false);
        expect(await active(portB, accessToken)).toBe(true);
      } finally {
        await startRedis();
      }

      await eventually(async () => (await readyz(portA)).body.status === 'ok', 20_000);
      await eventually(async () => (await readyz(portB)).body.status === 'ok', 20_000);
      expect(await active(portA, accessToken)).toBe(true);
      // Shared again: a fresh username's failures on A throttle it on B.
      expect(await throttled('oscar', '192.0.2.4')).toEqual([429, 429]);
      // Fan-out is back: a revocation on B reaches A's introspection.
      expect(
        (await post(portB, '/oauth/revoke', { token: accessToken }, { authorization: basic })).status,
      ).toBe(200);
      await eventually(async () => (await active(portA, accessToken)) === false, 2000);
      for (const server of [a, b]) server.child.kill('SIGTERM');
      expect(await a.exit).toBe(0);
      expect(await b.exit).toBe(0);
      expect(a.output() + b.output()).not.toContain(deployment.env.SESAME_MASTER_KEY!);
    } finally {
      stopAll();
      await restoreServices();
      await deployment.drop();
    }
  });
});
