/**
 * Two real `sesame serve` processes (A and B) on one PostgreSQL and one Redis, and one guard
 * following A's revocation feed: a token issued by A refreshes on B; a revocation made on B is
 * refused by the guard and by A's introspection within 2 s; a key rotation by `sesame keys rotate`
 * is seen by both instances without a restart.
 */
import { createGuard } from '@sesame/guard';
import { eventually, freePort } from '@sesame/testkit';
import { afterAll, expect, it } from 'vitest';
import { deployment as makeDeployment, serve, sesame, stopAll } from '../helpers/processes.js';
import { describeWithServices } from '../helpers/services.js';

await describeWithServices(['PostgreSQL', 'Redis'], 'two Sesame instances on PostgreSQL and Redis', () => {
  afterAll(() => stopAll());

  it('share tokens, revocations and key rotations', { timeout: 300_000 }, async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const deployment = await makeDeployment(portA);
    const { env } = deployment;
    try {
      const a = await serve(portA, env);
      const b = await serve(portB, env);
      expect(b.output()).not.toMatch(/password/); // first start happened once, on A
      expect(
        (
          await sesame(
            ['users', 'add', 'alice', '--scopes', 'openid quiz', '--password-stdin'],
            env,
            'alice password 1\n',
          )
        ).code,
      ).toBe(0);
      const app = await sesame(
        [
          'clients',
          'add',
          'quiz-app',
          '--public',
          '--grant',
          'password,refresh_token',
          '--scopes',
          'openid quiz',
        ],
        env,
      );
      const appId = /client_id: (\S+)/.exec(app.stdout)![1]!;
      const api = JSON.parse(
        (
          await sesame(
            [
              ...['clients', 'add', 'quiz-api', '--grant', 'client_credentials'],
              ...['--permission', 'introspect,revocations', '--json'],
            ],
            env,
          )
        ).stdout,
      );
      const basic = `Basic ${Buffer.from(`${api.client_id}:${api.client_secret}`).toString('base64')}`;
      const post = (
        port: number,
        path: string,
        body: Record<string, string>,
        headers: Record<string, string> = {},
      ) =>
        fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      const active = async (port: number, token: string) =>
        (
          (await (await post(port, '/oauth/introspect', { token }, { authorization: basic })).json()) as {
            active: boolean;
          }
        ).active;

      // Issued by A, refreshed on B.
      const login = await post(portA, '/oauth/token', {
        grant_type: 'password',
        client_id: appId,
        username: 'alice',
        password: 'alice password 1',
      });
      expect(login.status).toBe(200);
      const first = (await login.json()) as { access_token: string; refresh_token: string };
      const refreshed = await post(portB, '/oauth/token', {
        grant_type: 'refresh_token',
        client_id: appId,
        refresh_token: first.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      const second = (await refreshed.json()) as { access_token: string };

      // The guard follows A's feed; the revocation is made on B.
      const guard = createGuard({
        issuer: env.SESAME_ISSUER!,
        audience: 'sesame',
        revocation: { clientId: api.client_id, clientSecret: api.client_secret },
      });
      try {
        await expect(guard.authenticate(`Bearer ${second.access_token}`)).resolves.toMatchObject({
          sub: expect.any(String),
        });
        expect(await active(portA, second.access_token)).toBe(true);
        expect(
          (await post(portB, '/oauth/revoke', { token: second.access_token, client_id: appId })).status,
        ).toBe(200);
        const byGuard = await eventually(
          () =>
            guard.authenticate(`Bearer ${second.access_token}`).then(
              () => false,
              () => true,
            ),
          2000,
        );
        const byA = await eventually(async () => !(await active(portA, second.access_token)), 2000);
        expect(Math.max(byGuard, byA)).toBeLessThan(2000);
      } finally {
        guard.close();
      }

      // A rotation made by the CLI is loaded by both instances at once (Redis), not at the next reload.
      const jwks = async (port: number) =>
        (
          (await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json()) as {
            keys: { kid: string }[];
          }
        ).keys.map((k) => k.kid);
      const before = await jwks(portB);
      expect((await sesame(['keys', 'rotate'], env)).code).toBe(0);
      await eventually(async () => (await jwks(portB)).some((kid) => !before.includes(kid)), 3000);
      await eventually(async () => (await jwks(portA)).some((kid) => !before.includes(kid)), 3000);
      const after = await post(portA, '/oauth/token', {
        grant_type: 'password',
        client_id: appId,
        username: 'alice',
        password: 'alice password 1',
      });
      const fresh = (await after.json()) as { access_token: string };
      // Signed with the key that became current in the rotation, and valid on B.
      const kid = JSON.parse(Buffer.from(fresh.access_token.split('.')[0]!, 'base64url').toString()).kid;
      expect(before).toContain(kid);
      expect(await active(portB, fresh.access_token)).toBe(true);

      for (const server of [a, b]) server.child.kill('SIGTERM');
      expect(await a.exit).toBe(0);
      expect(await b.exit).toBe(0);
    } finally {
      stopAll();
      await deployment.drop();
    }
  });

  it('says once, not once per worker, that Redis is reachable on a first start', {
    timeout: 180_000,
  }, async () => {
    const port = await freePort();
    const deployment = await makeDeployment(port);
    try {
      const server = await serve(port, deployment.env, 2);
      // Each worker opens its store (and tells Redis's state) before it reports ready, and the
      // group's "listening" line waits for every worker: all their lines are in by now.
      expect(server.output().match(/redis reachable/g)).toEqual(['redis reachable']);
      expect(server.output()).toContain('redis reachable: shared counters and denylist in use');
    } finally {
      stopAll();
      await deployment.drop();
    }
  });

  it('refuses to start on PostgreSQL without a master key, in one line', async () => {
    const deployment = await makeDeployment(await freePort());
    try {
      const { SESAME_MASTER_KEY: _unused, ...env } = deployment.env;
      const result = await sesame(['keys', 'list'], env);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/SESAME_MASTER_KEY\): required with SESAME_DATABASE_URL/);
      expect(result.stderr).not.toContain(env.SESAME_DATABASE_URL!);
    } finally {
      await deployment.drop();
    }
  });
});
