/**
 * The audit webhook of the real `sesame serve` (auditWebhookUrl, docs/operations.md) against a
 * receiver here that checks each batch's HMAC signature: after known traffic the receiver holds
 * exactly the events `sesame audit export` prints, in order, none twice — though it refused the
 * first two batches (503), which the server retried; the metrics count the deliveries and the
 * failures; after a stop, events written while the server was down, and a restart, the receiver
 * gets exactly the new ones. A wrong secret or a changed body fails the signature check.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, freePort, runSesame, type Started, startSesame, tempDir } from '@sesame/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const SECRET = 'audit-webhook-secret-0123456789abcdef';
const PASSWORD = 'an audited password 31';
const ENV = Object.fromEntries(
  Object.entries({ ...process.env, SESAME_LOG_LEVEL: 'warn' }).filter(([name]) => !name.startsWith('OTEL_')),
);

/** The receiver's check: `sha256=<hex HMAC-SHA256(secret, body)>`, compared in constant time. */
function verify(body: Buffer, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Receiver {
  url: string;
  server: Server;
  /** Event ids in the order received (delivered batches only). */
  ids: number[];
  bodies: { body: Buffer; signature: string | undefined }[];
  /** Batches to refuse with 503 before taking any. */
  refuse: number;
  refused: number;
  badSignatures: number;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { ids: [], bodies: [], refuse: 0, refused: 0, badSignatures: 0 } as unknown as Receiver;
  receiver.server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const signature = request.headers['sesame-signature'] as string | undefined;
      if (!verify(body, signature, SECRET)) {
        receiver.badSignatures += 1;
        return void response.writeHead(401).end();
      }
      if (receiver.refused < receiver.refuse) {
        receiver.refused += 1;
        return void response.writeHead(503).end();
      }
      receiver.bodies.push({ body, signature });
      for (const event of (JSON.parse(body.toString('utf8')) as { events: { id: number }[] }).events) {
        receiver.ids.push(event.id);
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => receiver.server.listen(0, '127.0.0.1', done));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/audit`;
  return receiver;
}

async function sesame(args: string[], input = '') {
  const result = await runSesame(args, { env: ENV, cleanEnv: true, stdin: input });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** The ids of the trail, as `sesame audit export` prints them. */
async function exportedIds(dataDir: string): Promise<number[]> {
  const lines = (await sesame(['audit', 'export', '--data-dir', dataDir])).trim().split('\n');
  return lines.filter((line) => line !== '').map((line) => (JSON.parse(line) as { id: number }).id);
}

async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

function sample(text: string, name: string): number {
  const line = text.split('\n').find((each) => each.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

describe('the audit webhook of sesame serve', () => {
  const running: Started[] = [];
  let receiver: Receiver | undefined;
  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
    await new Promise<void>((done) => (receiver ? receiver.server.close(() => done()) : done()));
  });

  it('delivers every event in order once, through refusals and a restart, signed', async () => {
    receiver = await startReceiver();
    receiver.refuse = 2;
    const dataDir = tempDir('sesame-audit-webhook-');
    await sesame(
      ['users', 'add', 'audited-user', '--password-stdin', '--data-dir', dataDir],
      `${PASSWORD}\n`,
    );
    const client = JSON.parse(
      await sesame([
        ...['clients', 'add', 'audited-app', '--data-dir', dataDir, '--json'],
        ...['--grant', 'password,client_credentials'],
      ]),
    ) as { client_id: string; client_secret: string };
    const [port, metricsPort] = [await freePort(), await freePort()];
    const serve = () =>
      startSesame({
        port,
        dataDir,
        cleanEnv: true,
        env: {
          ...ENV,
          SESAME_AUDIT_WEBHOOK_URL: receiver!.url,
          SESAME_AUDIT_WEBHOOK_SECRET: SECRET,
          SESAME_AUDIT_WEBHOOK_ALLOW_HTTP: 'true',
          SESAME_AUDIT_WEBHOOK_INTERVAL: '50ms',
          SESAME_AUDIT_WEBHOOK_BATCH_SIZE: '3',
          SESAME_METRICS_PORT: String(metricsPort),
        },
      });
    let server = await serve();
    running.push(server);
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const token = (body: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: new URLSearchParams(body),
      });
    expect(
      (await token({ grant_type: 'password', username: 'audited-user', password: PASSWORD })).status,
    ).toBe(200);
    expect(
      (await token({ grant_type: 'password', username: 'audited-user', password: 'wrong one 99' })).status,
    ).toBe(400);
    expect((await token({ grant_type: 'client_credentials' })).status).toBe(200);

    // Everything the trail holds reaches the receiver, in order, once; two refusals on the way.
    const trail = await exportedIds(dataDir);
    expect(trail.length).toBeGreaterThanOrEqual(5);
    await eventually(() => receiver!.ids.length >= trail.length, 30_000);
    expect(receiver.ids).toEqual(trail);
    expect(receiver.refused).toBe(2);
    const metrics = await scrape(metricsPort);
    expect(sample(metrics, 'sesame_audit_sink_delivered_total')).toBe(trail.length);
    expect(sample(metrics, 'sesame_audit_sink_failures_total{reason="5xx"}')).toBe(2);
    expect(sample(metrics, 'sesame_audit_sink_lag_seconds')).toBe(0);

    // Events written while the server is down go out after the restart; none goes twice.
    await server.stop();
    await sesame(
      ['users', 'add', 'audited-later', '--password-stdin', '--data-dir', dataDir],
      `${PASSWORD}x\n`,
    );
    const after = await exportedIds(dataDir);
    expect(after.length).toBeGreaterThan(trail.length);
    server = await serve();
    running.push(server);
    await eventually(() => receiver!.ids.length >= after.length, 30_000);
    expect(receiver.ids).toEqual(after);
    expect(new Set(receiver.ids).size).toBe(receiver.ids.length);

    // Every batch was signed with the secret; no password travelled.
    expect(receiver.badSignatures).toBe(0);
    for (const { body } of receiver.bodies) {
      expect(body.includes(PASSWORD)).toBe(false);
      expect(body.includes(client.client_secret)).toBe(false);
    }
  }, 180_000);

  it('with --workers 2, one worker delivers: every event once', async () => {
    const own = await startReceiver();
    try {
      const dataDir = tempDir('sesame-audit-workers-');
      await sesame(
        ['users', 'add', 'worker-user', '--password-stdin', '--data-dir', dataDir],
        `${PASSWORD}\n`,
      );
      const app = await sesame([
        ...['clients', 'add', 'worker-app', '--public', '--grant', 'password'],
        ...['--json', '--data-dir', dataDir],
      ]);
      const appId = (JSON.parse(app) as { client_id: string }).client_id;
      const port = await freePort();
      const server = await startSesame({
        port,
        dataDir,
        args: ['--workers', '2'],
        cleanEnv: true,
        env: {
          ...ENV,
          SESAME_AUDIT_WEBHOOK_URL: own.url,
          SESAME_AUDIT_WEBHOOK_SECRET: SECRET,
          SESAME_AUDIT_WEBHOOK_ALLOW_HTTP: 'true',
          SESAME_AUDIT_WEBHOOK_INTERVAL: '50ms',
        },
      });
      running.push(server);
      // Failed logins on fresh connections, spread over both workers: login.failed events.
      for (let i = 0; i < 6; i++) {
        const answer = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
          body: new URLSearchParams({
            grant_type: 'password',
            client_id: appId,
            username: 'worker-user',
            password: `wrong ${i}`,
          }),
        });
        expect(answer.status).toBe(400);
      }
      const trail = await exportedIds(dataDir);
      await eventually(() => own.ids.length >= trail.length, 30_000);
      await server.stop();
      expect(own.ids).toEqual(trail);
    } finally {
      await new Promise<void>((done) => own.server.close(() => done()));
    }
  }, 180_000);

  it('auditLog writes every event once as a log line, at info whatever logLevel, resuming after a restart', async () => {
    const dataDir = tempDir('sesame-audit-log-');
    await sesame(['users', 'add', 'logged-user', '--password-stdin', '--data-dir', dataDir], `${PASSWORD}\n`);
    const port = await freePort();
    const env = {
      ...ENV,
      SESAME_LOG_LEVEL: 'warn',
      SESAME_AUDIT_LOG: 'true',
      SESAME_AUDIT_WEBHOOK_INTERVAL: '50ms',
    };
    /** The ids of the `audit event` lines a process printed. */
    const logged = (server: Started) =>
      server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map(
          (line) => JSON.parse(line) as { msg?: string; event?: { id: number; type: string; time: string } },
        )
        .filter((line) => line.msg === 'audit event')
        .map((line) => line.event!);
    const first = await startSesame({ port, dataDir, cleanEnv: true, env });
    running.push(first);
    const trail = await exportedIds(dataDir);
    expect(trail.length).toBeGreaterThan(0);
    await eventually(() => logged(first).length >= trail.length, 30_000);
    await first.stop();
    expect(logged(first).map((event) => event.id)).toEqual(trail);
    expect(logged(first)[0]!.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // Written while stopped, printed by the next start; what the first printed is not printed again.
    await sesame(
      ['users', 'add', 'logged-later', '--password-stdin', '--data-dir', dataDir],
      `${PASSWORD}y\n`,
    );
    const after = await exportedIds(dataDir);
    const second = await startSesame({ port, dataDir, cleanEnv: true, env });
    running.push(second);
    await eventually(() => logged(second).length >= after.length - trail.length, 30_000);
    await second.stop();
    expect(logged(second).map((event) => event.id)).toEqual(after.slice(trail.length));
  }, 180_000);

  it('a wrong secret, or a changed body, fails the receiver’s signature check', () => {
    const { body, signature } = receiver!.bodies[0]!;
    expect(verify(body, signature, SECRET)).toBe(true);
    expect(verify(body, signature, `${SECRET}x`)).toBe(false);
    expect(verify(body, signature, 'another-secret-of-the-same-size-0123')).toBe(false);
    // The same events with one more space: still JSON, not the signed bytes.
    const changed = Buffer.from(body.toString('utf8').replace('"id":', '"id": '));
    expect(changed.equals(body)).toBe(false);
    expect(verify(changed, signature, SECRET)).toBe(false);
    expect(verify(body, undefined, SECRET)).toBe(false);
  });
});
