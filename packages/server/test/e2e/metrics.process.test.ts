/**
 * Prometheus metrics of the real `sesame serve` (metricsPort, docs/operations.md): known traffic,
 * then a scrape read by the Python client's parser (a real one), counted; the token, the
 * loopback rule, the separate port; and with `--workers 2` the primary's sum of both workers.
 */
import { request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import {
  freePort,
  parsePrometheus,
  parsePrometheusFamilies,
  runSesame,
  type Started,
  sampleValue,
  startSesame,
  tempDir,
} from '@sesame/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { deployment as makeDeployment, serve as serveDistributed, stopAll } from '../helpers/processes.js';
import { describeWithServices } from '../helpers/services.js';
import { readDashboard, unknownMetrics } from '../metrics/dashboard.js';

const ENV = { ...process.env, SESAME_LOG_LEVEL: 'warn' };
const TOKEN = 'metrics-token-0123456789abcdef';
const USERNAME = 'metrics-watched-user';
const PASSWORD = 'a password never shown 42';

const running: Started[] = [];
afterAll(() => Promise.all(running.map((server) => server.stop())));

function sesame(args: string[], input = '') {
  return runSesame(args, { env: ENV, cleanEnv: true, stdin: input });
}

/** A data dir with a user, a confidential client_credentials client and a public password client. */
async function setUpDataDir() {
  const dataDir = tempDir('sesame-metrics-');
  const user = await sesame(
    ['users', 'add', USERNAME, '--password-stdin', '--data-dir', dataDir],
    `${PASSWORD}\n`,
  );
  expect(user.code, user.stderr).toBe(0);
  const service = await sesame([
    'clients',
    'add',
    'metrics-service',
    '--grant',
    'client_credentials',
    '--json',
    '--data-dir',
    dataDir,
  ]);
  expect(service.code, service.stderr).toBe(0);
  const { client_id, client_secret } = JSON.parse(service.stdout) as {
    client_id: string;
    client_secret: string;
  };
  const app = await sesame([
    'clients',
    'add',
    'metrics-app',
    '--public',
    '--grant',
    'password,refresh_token',
    '--json',
    '--data-dir',
    dataDir,
  ]);
  expect(app.code, app.stderr).toBe(0);
  const appId = (JSON.parse(app.stdout) as { client_id: string }).client_id;
  return { dataDir, service: { id: client_id, secret: client_secret }, appId };
}

/**
 * POST /oauth/token on a connection of its own (no keep-alive), so that with workers the primary
 * hands each request to the next worker in turn.
 */
function token(
  port: number,
  body: Record<string, string>,
  basic?: string,
): Promise<{ status: number; json: Record<string, string> }> {
  const payload = new URLSearchParams(body).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/oauth/token',
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** `tokens` client_credentials tokens, then two failed password logins; answers the tokens. */
async function knownTraffic(port: number, setUp: Awaited<ReturnType<typeof setUpDataDir>>, tokens: number) {
  const issued: string[] = [];
  for (let i = 0; i < tokens; i++) {
    const answer = await token(
      port,
      { grant_type: 'client_credentials' },
      `${setUp.service.id}:${setUp.service.secret}`,
    );
    expect(answer.status).toBe(200);
    issued.push(answer.json.access_token!);
  }
  for (let i = 0; i < 2; i++) {
    const failed = await token(port, {
      grant_type: 'password',
      client_id: setUp.appId,
      username: USERNAME,
      password: 'wrong password',
    });
    expect(failed.status).toBe(400);
    expect(failed.json.error).toBe('invalid_grant');
  }
  return issued;
}

const scrape = (port: number, authorization?: string) =>
  fetch(`http://127.0.0.1:${port}/metrics`, authorization ? { headers: { authorization } } : {});

async function serve(dataDir: string, env: Record<string, string>, workers: number) {
  const port = await freePort();
  const metricsPort = await freePort();
  const server = await startSesame({
    port,
    dataDir,
    args: ['--workers', String(workers)],
    env: { ...ENV, NODE_CLUSTER_SCHED_POLICY: 'rr', SESAME_METRICS_PORT: String(metricsPort), ...env },
    cleanEnv: true,
  });
  running.push(server);
  return { server, port, metricsPort };
}

describe('sesame serve with metricsPort (real process)', () => {
  it('counts known traffic, behind its token, apart from the public port, and never names a user or a token', async () => {
    const setUp = await setUpDataDir();
    const { service, appId } = setUp;
    const { server, port, metricsPort } = await serve(setUp.dataDir, { SESAME_METRICS_TOKEN: TOKEN }, 1);

    const issued = await knownTraffic(port, setUp, 3);
    const login = await token(port, {
      grant_type: 'password',
      client_id: appId,
      username: USERNAME,
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    const refreshed = await token(port, {
      grant_type: 'refresh_token',
      client_id: appId,
      refresh_token: login.json.refresh_token!,
    });
    expect(refreshed.status).toBe(200);

    // The token is required: none, another one, or another scheme is 401.
    expect((await scrape(metricsPort)).status).toBe(401);
    expect((await scrape(metricsPort, 'Bearer metrics-token-0123456789abcdeX')).status).toBe(401);
    expect((await scrape(metricsPort, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).status).toBe(
      401,
    );
    // Only /metrics on the metrics port; never /metrics on the public one.
    expect(
      (
        await fetch(`http://127.0.0.1:${metricsPort}/healthz`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).status,
    ).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);

    const response = await scrape(metricsPort, `Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const families = parsePrometheusFamilies(text);
    const samples = families.flatMap((family) => family.samples);
    // Every metric the Grafana dashboard queries is in the scrape (a metric with no series yet,
    // such as sesame_dependency_up without Redis, by its family).
    const known = new Set([
      ...families.map((family) => family.name),
      ...samples.map((sample) => sample.name),
    ]);
    expect(unknownMetrics(readDashboard(), known)).toEqual([]);
    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);

    expect(
      value('sesame_tokens_issued_total', { grant_type: 'client_credentials', client_id: service.id }),
    ).toBe(3);
    expect(value('sesame_tokens_issued_total', { grant_type: 'password', client_id: appId })).toBe(1);
    expect(value('sesame_refresh_rotations_total')).toBe(1);
    expect(value('sesame_audit_events_total', { type: 'login.failed' })).toBe(2);
    expect(value('sesame_audit_events_total', { type: 'login.ok' })).toBe(1);
    expect(value('sesame_audit_events_total', { type: 'token.issued' })).toBe(5);
    expect(value('sesame_token_errors_total', { error: 'invalid_grant' })).toBe(2);
    expect(
      value('sesame_http_requests_total', { route: '/oauth/token', method: 'POST', status: '200' }),
    ).toBe(5);
    expect(
      value('sesame_http_requests_total', { route: '/oauth/token', method: 'POST', status: '400' }),
    ).toBe(2);
    expect(value('sesame_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(
      value('sesame_http_request_duration_seconds_count', {
        route: '/oauth/token',
        method: 'POST',
        status_class: '2xx',
      }),
    ).toBe(5);
    expect(value('sesame_serving_processes')).toBe(1);
    expect(value('sesame_store_up')).toBe(1);
    expect(value('sesame_store_ping_seconds')).toBeGreaterThanOrEqual(0);
    expect(value('sesame_revocation_feed_subscribers')).toBe(0);
    expect(value('sesame_signing_key_age_seconds', { alg: 'ES256' })).toBeGreaterThanOrEqual(0);
    expect(value('sesame_signing_key_next_rotation_seconds', { alg: 'ES256' })).toBeGreaterThan(29 * 86_400);
    // prom-client's process metrics, under Sesame's prefix.
    expect(value('sesame_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value('sesame_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(samples.some((sample) => !sample.name.startsWith('sesame_'))).toBe(false);

    // Labels hold route patterns and registered client ids, never what a request carried.
    for (const secret of [
      USERNAME,
      PASSWORD,
      'wrong password',
      service.secret,
      login.json.refresh_token!,
      refreshed.json.refresh_token!,
      ...issued,
    ]) {
      expect(text).not.toContain(secret);
    }

    server.child.kill('SIGTERM');
    expect((await server.exited).code, server.output()).toBe(0);
    // Closed on stop.
    await expect(scrape(metricsPort, `Bearer ${TOKEN}`)).rejects.toThrow();
  }, 120_000);

  it('with --workers 2, the primary answers the sum of both workers', async () => {
    const setUp = await setUpDataDir();
    const { service } = setUp;
    const { server, port, metricsPort } = await serve(setUp.dataDir, {}, 2);
    // Each request on a connection of its own: the primary hands them to the workers in turn.
    const requests = 8;
    await knownTraffic(port, setUp, requests);
    // Loopback without a token: open (the default host).
    const response = await scrape(metricsPort);
    expect(response.status).toBe(200);
    const samples = parsePrometheus(await response.text());
    // One worker's metrics alone count about half (seen: 4 of 8 when one worker did not report).
    expect(
      sampleValue(samples, 'sesame_tokens_issued_total', {
        grant_type: 'client_credentials',
        client_id: service.id,
      }),
    ).toBe(requests);
    expect(sampleValue(samples, 'sesame_audit_events_total', { type: 'login.failed' })).toBe(2);
    expect(sampleValue(samples, 'sesame_http_requests_total', { route: '/oauth/token', status: '200' })).toBe(
      requests,
    );
    expect(sampleValue(samples, 'sesame_serving_processes')).toBe(2);
    // The store is up only when every worker reaches it (min), not 2.
    expect(sampleValue(samples, 'sesame_store_up')).toBe(1);
    // The workers' other messages to the primary still arrive: it printed the ready line once, and stops cleanly.
    expect(server.output().match(/sesame listening/g)).toHaveLength(1);
    server.child.kill('SIGTERM');
    expect((await server.exited).code, server.output()).toBe(0);
    await expect(scrape(metricsPort)).rejects.toThrow();
  }, 120_000);

  it('refuses at start a metrics port off loopback without a token, a short token, and the public port', async () => {
    const dataDir = tempDir('sesame-metrics-');
    const start = (env: Record<string, string>) =>
      runSesame(['serve', '--data-dir', dataDir, '--port', '18099'], {
        env: { ...ENV, ...env },
        cleanEnv: true,
      });
    const open = await start({ SESAME_METRICS_PORT: '19099', SESAME_METRICS_HOST: '0.0.0.0' });
    expect(open.code).toBe(2);
    expect(open.stderr.trim().split('\n')).toHaveLength(1);
    expect(open.stderr).toMatch(
      /^error ERR_CONFIG: metricsHost \(SESAME_METRICS_HOST\): 0\.0\.0\.0 is not a loopback address; set SESAME_METRICS_TOKEN/,
    );
    const short = await start({ SESAME_METRICS_PORT: '19099', SESAME_METRICS_TOKEN: 'short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(
      /^error ERR_CONFIG: metricsToken \(SESAME_METRICS_TOKEN\): must be at least 16/,
    );
    expect(short.stderr).not.toContain('short\n');
    const same = await start({ SESAME_METRICS_PORT: '18099' });
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/metricsPort \(SESAME_METRICS_PORT\): must differ from port/);
    // A metrics port in use stops the start as the public one does: one line, exit 5, with or without workers.
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    try {
      const inUse = String((taken.address() as AddressInfo).port);
      for (const workers of ['1', '2']) {
        const busy = await runSesame(
          ['serve', '--data-dir', dataDir, '--port', String(await freePort()), '--workers', workers],
          {
            env: { ...ENV, SESAME_METRICS_PORT: inUse },
            cleanEnv: true,
          },
        );
        expect(busy.code, busy.stderr).toBe(5);
        expect(busy.stderr.trim().split('\n'), busy.stderr).toHaveLength(1);
        expect(busy.stderr).toMatch(
          /^error ERR_PORT_IN_USE: cannot listen on 127\.0\.0\.1:\d+ for \/metrics \(EADDRINUSE\).*SESAME_METRICS_PORT/,
        );
      }
    } finally {
      taken.close();
    }
  }, 180_000);
});

await describeWithServices(
  ['PostgreSQL', 'Redis'],
  'metrics on PostgreSQL and Redis (real processes)',
  () => {
    afterAll(() => stopAll());

    it('report the store and Redis up, over both workers', async () => {
      const port = await freePort();
      const metricsPort = await freePort();
      const distributed = await makeDeployment(port);
      try {
        const server = await serveDistributed(
          port,
          { ...distributed.env, SESAME_METRICS_PORT: String(metricsPort) },
          2,
        );
        const response = await scrape(metricsPort);
        expect(response.status).toBe(200);
        const samples = parsePrometheus(await response.text());
        expect(sampleValue(samples, 'sesame_serving_processes')).toBe(2);
        expect(sampleValue(samples, 'sesame_store_up')).toBe(1);
        expect(sampleValue(samples, 'sesame_dependency_up', { dependency: 'redis' })).toBe(1);
        server.child.kill('SIGTERM');
        expect(await server.exit, server.output()).toBe(0);
      } finally {
        stopAll();
        await distributed.drop();
      }
    }, 240_000);
  },
);
