/**
 * The real `sesame` process, end to end: `sesame serve` on a free port with a temporary data dir,
 * the CLI managing accounts in the same data dir while it runs, and the classic flow over HTTP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runSesame, type Started, startSesame } from '@sesame/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const ENV = { ...process.env, SESAME_LOG_LEVEL: 'warn' };

function sesame(args: string[], input = '') {
  return runSesame(args, { env: ENV, cleanEnv: true, stdin: input });
}

const running: Started[] = [];
afterAll(() => Promise.all(running.map((server) => server.stop())));

/** Starts `sesame serve` once it listens; `exit` resolves with its exit code. */
async function serve(dataDir: string, port: number) {
  const started = await startSesame({ port, dataDir, env: ENV, cleanEnv: true });
  running.push(started);
  return { ...started, exit: started.exited.then(({ code }) => code) };
}

describe('sesame serve (real process)', () => {
  it('runs the classic flow: users add → password grant → userinfo → refresh → revoke → refresh fails → inactive', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sesame-serve-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = await serve(dataDir, port);
    // first start: the admin and the docs client, printed once with the URLs
    expect(server.output()).toMatch(/admin password: {2}\S{20,}/);
    expect(server.output()).toContain(`${base}/docs`);
    expect(server.output()).toContain(`${base}/oauth/token`);
    expect(server.output()).toContain(`${base}/.well-known/jwks.json`);

    // the CLI works on the same data dir while the server runs
    const added = await sesame(
      ['users', 'add', 'alice', '--password-stdin', '--scopes', 'openid quiz', '--data-dir', dataDir],
      'alice password 1\n',
    );
    expect(added.code, added.stderr).toBe(0);
    const client = await sesame([
      'clients',
      'add',
      'quiz-api',
      '--grant',
      'client_credentials',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(client.code, client.stderr).toBe(0);
    const { client_id, client_secret } = JSON.parse(client.stdout);
    const app = await sesame([
      'clients',
      'add',
      'quiz-app',
      '--public',
      '--grant',
      'password,refresh_token',
      '--scopes',
      'openid quiz',
      '--data-dir',
      dataDir,
    ]);
    expect(app.code, app.stderr).toBe(0);
    expect(app.stdout).not.toContain('client_secret');
    const appId = /client_id: (\S+)/.exec(app.stdout)![1]!;
    const resourceServer = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;

    const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });

    const login = await post('/oauth/token', {
      grant_type: 'password',
      client_id: appId,
      username: 'alice',
      password: 'alice password 1',
    });
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as { access_token: string; refresh_token: string };

    const me = await fetch(`${base}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await me.json()).toMatchObject({ username: 'alice', scopes: ['openid', 'quiz'] });

    const refreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      client_id: appId,
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as { access_token: string; refresh_token: string };

    const revoked = await post('/oauth/revoke', { token: next.refresh_token, client_id: appId });
    expect(revoked.status).toBe(200);
    const again = await post('/oauth/token', {
      grant_type: 'refresh_token',
      client_id: appId,
      refresh_token: next.refresh_token,
    });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');

    const introspected = await post(
      '/oauth/introspect',
      { token: next.access_token },
      { authorization: resourceServer },
    );
    expect(await introspected.json()).toEqual({ active: false });

    // graceful shutdown on SIGTERM
    server.child.kill('SIGTERM');
    expect(await server.exit, server.output()).toBe(0);

    // a second start prints no credentials
    const second = await serve(dataDir, port);
    expect(second.output()).not.toMatch(/password/);
    second.child.kill('SIGINT');
    expect(await second.exit, second.output()).toBe(0);
  }, 180_000);

  it('fails with one line on stderr and a non-zero exit, no stack trace', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sesame-serve-'));
    const noPassword = await sesame(['users', 'add', 'bob', '--password-stdin', '--data-dir', dataDir], '');
    expect(noPassword.code).not.toBe(0);
    expect(noPassword.stderr.trim().split('\n')).toEqual(['error ERR_CLI_INPUT: no password on stdin']);
    const badConfig = await runSesame(['serve', '--data-dir', dataDir], {
      env: { ...ENV, SESAME_PROT: '1' },
      cleanEnv: true,
    });
    expect(badConfig.code).not.toBe(0);
    expect(badConfig.stderr.trim()).toBe('error ERR_CONFIG: SESAME_PROT: unknown configuration variable');
    // Nothing above made a store: a command on what exists refuses, naming the path.
    const unknownUser = await sesame(['users', 'disable', 'nobody', '--data-dir', dataDir]);
    expect(unknownUser.code).toBe(5);
    expect(unknownUser.stderr.trim()).toBe(
      `error ERR_STORE_MISSING: no Sesame store at ${join(dataDir, 'sesame.db')}; pass the --data-dir (or SESAME_DATA_DIR) of an existing store`,
    );
  }, 120_000);
});
