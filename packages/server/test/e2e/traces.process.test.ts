/**
 * OpenTelemetry traces of the real `sesame serve` (docs/operations.md, tracing/): the server
 * exports OTLP over HTTP (http/json) to a small collector here, after known traffic (a password
 * login carrying a W3C traceparent, client_credentials, a refresh, an introspection, a failed
 * login, a URL with a secret in its query string); the spans' names and parent-child structure are
 * checked, and the raw bytes the collector received are searched for every secret of that
 * traffic — with the search itself seen failing on a span where a secret was planted. Without
 * OTEL_* variables, no module of the OpenTelemetry SDK is even loaded.
 */

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, runSesame, startSesame, tempDir } from '@sesame/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RECORDER = pathToFileURL(join(import.meta.dirname, 'fixtures/record-imports.mjs')).href;
/** This process's environment without any OTEL_* variable of the machine running the tests. */
const ENV = Object.fromEntries(
  Object.entries({ ...process.env, SESAME_LOG_LEVEL: 'warn' }).filter(([name]) => !name.startsWith('OTEL_')),
);
const USERNAME = 'traced-user';
const PASSWORD = 'a traced password never exported 7';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

interface Collector {
  url: string;
  bodies: Buffer[];
  server: Server;
}

/** A tiny OTLP/HTTP collector: keeps every body POSTed to /v1/traces, answers 200. */
async function startCollector(): Promise<Collector> {
  const bodies: Buffer[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') bodies.push(Buffer.concat(chunks));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: ExportedSpan[] }[];
  }[];
}

function spansOf(bodies: Buffer[]): ExportedSpan[] {
  return bodies.flatMap((body) =>
    (JSON.parse(body.toString('utf8')) as ExportRequest).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans),
    ),
  );
}

function attribute(span: ExportedSpan, key: string): unknown {
  const value = span.attributes?.find((entry) => entry.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
}

/**
 * The names of the secrets found in the bytes: each as it is, and in the other spellings a
 * serializer could give it (URL-encoded, base64, base64url, hex).
 */
export function secretsIn(bytes: Buffer, secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    const raw = Buffer.from(secret);
    const spellings = [
      secret,
      encodeURIComponent(secret),
      raw.toString('base64'),
      raw.toString('base64url'),
      raw.toString('hex'),
    ];
    if (spellings.some((spelling) => bytes.includes(Buffer.from(spelling)))) found.push(name);
  }
  return found;
}

async function sesame(args: string[], input = '') {
  const result = await runSesame(args, { env: ENV, cleanEnv: true, stdin: input });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('OpenTelemetry traces of sesame serve', () => {
  const dataDir = tempDir('sesame-traces-');
  const importsFile = join(tempDir('sesame-imports-'), 'traced.txt');
  const untracedImports = join(tempDir('sesame-imports-'), 'untraced.txt');
  let collector: Collector;
  let client: { client_id: string; client_secret: string };
  const secrets: Record<string, string> = { password: PASSWORD };
  let queryCode = '';

  beforeAll(async () => {
    collector = await startCollector();
    await sesame(['users', 'add', USERNAME, '--password-stdin', '--data-dir', dataDir], `${PASSWORD}\n`);
    client = JSON.parse(
      await sesame([
        ...['clients', 'add', 'traced-app', '--data-dir', dataDir, '--json'],
        ...['--grant', 'password,refresh_token,client_credentials', '--permission', 'introspect'],
      ]),
    ) as { client_id: string; client_secret: string };
    secrets.clientSecret = client.client_secret;

    const port = await freePort();
    const server = await startSesame({
      port,
      dataDir,
      cleanEnv: true,
      env: {
        ...ENV,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        NODE_OPTIONS: `--import=${RECORDER}`,
        SESAME_TEST_IMPORTS_FILE: importsFile,
      },
    });
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const post = async (path: string, body: Record<string, string>, headers: Record<string, string> = {}) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic, ...headers },
        body: new URLSearchParams(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, string> };
    };
    try {
      const login = await post(
        '/oauth/token',
        { grant_type: 'password', username: USERNAME, password: PASSWORD },
        { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` },
      );
      expect(login.status).toBe(200);
      secrets.accessToken = login.json.access_token!;
      secrets.accessTokenSignature = login.json.access_token!.split('.')[2]!;
      secrets.refreshToken = login.json.refresh_token!;
      const service = await post('/oauth/token', { grant_type: 'client_credentials' });
      expect(service.status).toBe(200);
      secrets.serviceToken = service.json.access_token!;
      const refreshed = await post('/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: login.json.refresh_token!,
      });
      expect(refreshed.status).toBe(200);
      secrets.rotatedRefreshToken = refreshed.json.refresh_token!;
      secrets.refreshedAccessToken = refreshed.json.access_token!;
      const introspection = await post('/oauth/introspect', { token: refreshed.json.access_token! });
      expect(introspection.json.active).toBe(true);
      const failed = await post('/oauth/token', {
        grant_type: 'password',
        username: USERNAME,
        password: 'a wrong password tried 99',
      });
      expect(failed.json.error).toBe('invalid_grant');
      secrets.wrongPassword = 'a wrong password tried 99';
      // A code in a query string (an authorization response reaching the wrong place).
      queryCode = 'query-code-never-exported-3f9a1c';
      secrets.queryCode = queryCode;
      await fetch(`http://127.0.0.1:${port}/healthz?code=${queryCode}`);
    } finally {
      // SIGTERM: the shutdown flushes the exporter before the process exits.
      await server.stop();
    }
    // The untraced server: the same program, without OTEL_* variables.
    const plainPort = await freePort();
    const plain = await startSesame({
      port: plainPort,
      dataDir: tempDir('sesame-untraced-'),
      cleanEnv: true,
      env: { ...ENV, NODE_OPTIONS: `--import=${RECORDER}`, SESAME_TEST_IMPORTS_FILE: untracedImports },
    });
    expect((await fetch(`http://127.0.0.1:${plainPort}/healthz`)).status).toBe(200);
    await plain.stop();
  }, 120_000);

  afterAll(() => new Promise<void>((done) => collector?.server.close(() => done())));

  it('exports spans named by route, grant and store method, nested, under the caller’s trace', () => {
    const spans = spansOf(collector.bodies);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentOf = (span: ExportedSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);
    const names = new Set(spans.map((span) => span.name));
    for (const name of [
      'POST /oauth/token',
      'oauth.token',
      'grant password',
      'grant client_credentials',
      'grant refresh_token',
      'POST /oauth/introspect',
      'GET /healthz',
      'store.findUserByName',
      'store.findClient',
    ]) {
      expect(names, name).toContain(name);
    }
    // The login: under the caller's trace, its server span the child of the caller's span.
    const grant = spans.find((span) => span.name === 'grant password' && span.traceId === TRACE_ID);
    expect(grant, 'the password grant in the caller’s trace').toBeDefined();
    const endpoint = parentOf(grant!)!;
    expect(endpoint.name).toBe('oauth.token');
    const request = parentOf(endpoint)!;
    expect(request.name).toBe('POST /oauth/token');
    expect(request.parentSpanId).toBe(PARENT_SPAN);
    expect(attribute(request, 'http.route')).toBe('/oauth/token');
    expect(String(attribute(request, 'http.response.status_code'))).toBe('200');
    expect(attribute(grant!, 'oauth.grant_type')).toBe('password');
    expect(attribute(grant!, 'oauth.client_id')).toBe(client.client_id);
    // The user is read inside the grant; the client inside the endpoint (its authentication).
    const user = spans.find((span) => span.name === 'store.findUserByName' && span.traceId === TRACE_ID);
    expect(parentOf(user!)?.name).toBe('grant password');
    expect(attribute(user!, 'db.system')).toBe('sqlite');
    const clientRead = spans.find((span) => span.name === 'store.findClient' && span.traceId === TRACE_ID);
    expect(parentOf(clientRead!)?.name).toBe('oauth.token');
    // Every store span belongs to a request: none starts a trace of its own.
    for (const span of spans.filter((each) => each.name.startsWith('store.'))) {
      expect(span.parentSpanId, span.name).toBeTruthy();
    }
    // The failed login: its grant span failed with the OAuth error, its request answered 400.
    const failedGrant = spans.find(
      (span) => span.name === 'grant password' && attribute(span, 'error.type') === 'invalid_grant',
    );
    expect(failedGrant).toBeDefined();
    expect(String(attribute(parentOf(parentOf(failedGrant!)!)!, 'http.response.status_code'))).toBe('400');
    // service.name is sesame.
    const resource = (JSON.parse(collector.bodies[0]!.toString('utf8')) as ExportRequest).resourceSpans[0]!
      .resource;
    expect(resource.attributes.find((entry) => entry.key === 'service.name')?.value.stringValue).toBe(
      'sesame',
    );
  });

  it('exports no secret: no password, client secret, token, token signature or query code', () => {
    expect(collector.bodies.length).toBeGreaterThan(0);
    expect(Object.keys(secrets)).toHaveLength(10);
    for (const body of collector.bodies) expect(secretsIn(body, secrets)).toEqual([]);
  });

  it('the secret search finds a secret planted in an exported span (its negative case)', () => {
    const body = JSON.parse(collector.bodies[0]!.toString('utf8')) as ExportRequest;
    const span = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    for (const [name, secret] of Object.entries(secrets)) {
      const planted = structuredClone(body);
      const target = planted.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
      target.attributes = [...(span.attributes ?? []), { key: 'planted', value: { stringValue: secret } }];
      expect(secretsIn(Buffer.from(JSON.stringify(planted)), secrets), name).toContain(name);
    }
    // Only the signature of the token, base64-encoded: found too.
    const encoded = Buffer.from(`x${Buffer.from(secrets.accessTokenSignature!).toString('base64')}x`);
    expect(secretsIn(encoded, secrets)).toContain('accessTokenSignature');
  });

  it('loads the OpenTelemetry SDK only when OTEL_* asks for traces', () => {
    const sdk = /@opentelemetry\/(sdk-|exporter-|context-async-hooks|resources|core|otlp-)/;
    const traced = readFileSync(importsFile, 'utf8').split('\n');
    const untraced = readFileSync(untracedImports, 'utf8').split('\n');
    // The recorder works: the traced server's list has the SDK, both have Fastify.
    expect(traced.some((url) => sdk.test(url))).toBe(true);
    expect(untraced.some((url) => url.includes('/fastify/'))).toBe(true);
    expect(untraced.filter((url) => sdk.test(url))).toEqual([]);
  });
});
