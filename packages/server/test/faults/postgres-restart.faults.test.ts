/**
 * Issue 5's PostgreSQL fault test: a real `sesame serve` (2 workers) on PostgreSQL + Redis under a
 * steady load of client_credentials issuance and a chain of refreshes, while PostgreSQL is stopped
 * (connections cut, as in a crash or failover) and started again. During the outage every answer is
 * 200 or 503 temporarily_unavailable with Retry-After, never a 500; after it, requests succeed
 * again with no restart of Sesame, the refresh chain goes on, and no family is half-rotated.
 */

import { freePort } from '@sesame/testkit';
import { afterAll, expect, it } from 'vitest';
import { serve, stopAll } from '../helpers/processes.js';
import { describeWithServices } from '../helpers/services.js';
import { type Answer, faultDeployment, halfRotated, PASSWORD, post, readyz } from './fault-deployment.js';
import { restoreServices, startPostgres, stopPostgres } from './service-control.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await describeWithServices(['PostgreSQL', 'Redis'], 'PostgreSQL restarted under load', () => {
  afterAll(async () => {
    stopAll();
    await restoreServices();
  });

  it('answers 503 + Retry-After during the outage and recovers by itself', async () => {
    const port = await freePort();
    const deployment = await faultDeployment(port);
    try {
      const server = await serve(port, deployment.env, 2);
      const { appId, basic } = deployment;
      const login = await post(port, '/oauth/token', {
        grant_type: 'password',
        client_id: appId,
        username: 'alice',
        password: PASSWORD,
      });
      expect(login.status).toBe(200);
      let refreshToken = login.body.refresh_token as string;

      type Seen = Answer & { phase: 'before' | 'outage' | 'after'; grant: string };
      const seen: Seen[] = [];
      let phase: Seen['phase'] = 'before';
      let running = true;
      const issue = async () => {
        while (running) {
          const started = phase;
          const answer = await post(
            port,
            '/oauth/token',
            { grant_type: 'client_credentials' },
            { authorization: basic },
          );
          // Only answers to requests made and answered inside one phase count for that phase.
          if (started === phase) seen.push({ ...answer, phase, grant: 'client_credentials' });
          await sleep(20);
        }
      };
      const refresh = async () => {
        while (running) {
          const started = phase;
          const answer = await post(port, '/oauth/token', {
            grant_type: 'refresh_token',
            client_id: appId,
            refresh_token: refreshToken,
          });
          if (answer.status === 200) refreshToken = answer.body.refresh_token as string;
          if (started === phase) seen.push({ ...answer, phase, grant: 'refresh_token' });
          await sleep(50);
        }
      };
      const load = Promise.all([issue(), issue(), refresh()]);

      await sleep(1500);
      try {
        phase = 'outage';
        await stopPostgres();
        await sleep(3000);
        expect((await readyz(port)).status).toBe(503);
      } finally {
        await startPostgres();
      }
      const recoveredIn = Date.now();
      // No restart: the same processes answer once the pools have reconnected.
      for (let i = 0; ; i++) {
        const answer = await post(
          port,
          '/oauth/token',
          { grant_type: 'client_credentials' },
          { authorization: basic },
        );
        if (answer.status === 200) break;
        if (i > 300) throw new Error('no recovery within 30 s');
        await sleep(100);
      }
      phase = 'after';
      await sleep(1500);
      running = false;
      await load;

      expect(server.child.exitCode).toBeNull();
      expect(Date.now() - recoveredIn).toBeLessThan(35_000);
      const outage = seen.filter((s) => s.phase === 'outage');
      const refused = outage.filter((s) => s.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      for (const answer of refused) {
        expect(answer.retryAfter).toBe('5');
        expect(answer.body.error).toBe('temporarily_unavailable');
      }
      // Never a 500, never anything but success or "try again" (the refresh chain included).
      expect(seen.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
      const after = seen.filter((s) => s.phase === 'after');
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((s) => s.status === 200)).toBe(true);
      expect(after.some((s) => s.grant === 'refresh_token')).toBe(true);
      expect((await readyz(port)).status).toBe(200);

      // The store after the outage: no rotation is half done.
      expect(await halfRotated(deployment.schema)).toBe(0);
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    } finally {
      stopAll();
      await restoreServices();
      await deployment.drop();
    }
  });

  it('the half-rotation check does find a rotation left half done', async () => {
    const port = await freePort();
    const deployment = await faultDeployment(port);
    try {
      const server = await serve(port, deployment.env);
      const login = await post(port, '/oauth/token', {
        grant_type: 'password',
        client_id: deployment.appId,
        username: 'alice',
        password: PASSWORD,
      });
      expect(login.status).toBe(200);
      expect(await halfRotated(deployment.schema)).toBe(0);
      // What a non-atomic rotation would leave: the token marked rotated, no successor written.
      const pg = (await import('pg')).default;
      const { PG_URL } = await import('@sesame/testkit');
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`update "${deployment.schema}".refresh_tokens set rotated_at = 1`);
      await client.end();
      expect(await halfRotated(deployment.schema)).toBe(1);
      server.child.kill('SIGTERM');
      await server.exit;
    } finally {
      stopAll();
      await deployment.drop();
    }
  });
});
