import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { basic, type Deployment, PLAYER } from '../lib/deployment.js';
import { freePort, sesame, startSesame, waitForOk } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'http edges';

interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

const oauthError = (answer: Answer, code: string) => {
  try {
    const body = JSON.parse(answer.body) as { error?: unknown; error_description?: unknown };
    return body.error === code && typeof body.error_description === 'string';
  } catch {
    return false;
  }
};

/**
 * A JSON member name twice in one object: `{"scope":"openid","scope":"openid quiz admin"}` means
 * one thing to JSON.parse (the last) and another to a parser that keeps the first. Refused like a
 * repeated form parameter, at the token, revocation and introspection endpoints.
 */
async function duplicateJsonKeys(ctx: Context, d: Deployment): Promise<void> {
  const json = { 'content-type': 'application/json' };
  const login = `{"grant_type":"password","client_id":"${d.appClientId}","username":"${PLAYER.username}","password":"${PLAYER.password}"`;
  const cases: Array<[string, string, string, Record<string, string>]> = [
    ['token: scope twice', '/oauth/token', `${login},"scope":"openid","scope":"openid quiz"}`, json],
    ['token: username twice', '/oauth/token', `${login},"username":"${PLAYER.username}"}`, json],
    ['token: a name escaped the second time', '/oauth/token', `${login},"\\u0075sername":"x"}`, json],
    [
      'revoke: token twice',
      '/oauth/revoke',
      '{"token":"a","token":"b"}',
      { ...json, authorization: basic(d.feed.client_id, d.feed.client_secret) },
    ],
    [
      'introspect: token twice',
      '/oauth/introspect',
      '{"token":"a","token":"b"}',
      { ...json, authorization: basic(d.feed.client_id, d.feed.client_secret) },
    ],
  ];
  for (const [name, path, body, headers] of cases) {
    const answer = await send(`${d.issuer}${path}`, { method: 'POST', headers, body });
    ctx.report.check(
      CATEGORY,
      `duplicate JSON keys: ${name}`,
      answer.status === 400 && oauthError(answer, 'invalid_request') && /is repeated/.test(answer.body),
      `answered ${answer.status} ${answer.body.slice(0, 120)}`,
    );
  }
}

/** One raw GET through node:http, so headers and URLs of any size go out as written. */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path, headers });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          headers: new Headers(response.headers as Record<string, string>),
        }),
      );
    });
    req.on('error', () => resolve({ status: -1, body: '', headers: new Headers() }));
    req.end();
  });
}

/** A marker that an answer must not repeat: a reflected path is a reflected payload. */
const MARK = 'zq7reflect';

/**
 * What the router and node's parser answer before any route runs: a URL that does not decode, a
 * path parameter too long, a URL or headers over node's limit. Each in the OAuth error format (a
 * client parses one error shape), and none repeats the path. And a known path with the wrong
 * method: 405 with `Allow`, not a 404 that says the endpoint does not exist.
 */
async function routerEdges(ctx: Context, d: Deployment): Promise<void> {
  const cases: Array<[string, string, Record<string, string>, number]> = [
    ['a path parameter that does not decode', `/admin/users/${MARK}%E0%A4%A`, {}, 400],
    ['a path parameter of 300 characters', `/admin/users/${MARK}${'a'.repeat(300)}`, {}, 414],
    ['a 20 KB URL', `/oauth/${MARK}${'a'.repeat(20_000)}`, {}, 431],
    ['a 20 KB header', '/userinfo', { 'x-filler': MARK.repeat(2000) }, 431],
  ];
  for (const [name, path, headers, status] of cases) {
    const answer = await rawGet(d.issuer, path, headers);
    ctx.report.check(
      CATEGORY,
      `router: ${name} → ${status} in the OAuth format, the path not echoed`,
      answer.status === status && oauthError(answer, 'invalid_request') && !answer.body.includes(MARK),
      `answered ${answer.status} ${answer.body.slice(0, 120)}`,
    );
  }
  for (const [method, path, allow] of [
    ['GET', '/oauth/token', 'POST'],
    ['GET', '/oauth/revoke', 'POST'],
    ['DELETE', '/.well-known/jwks.json', 'GET, HEAD'],
  ] as const) {
    const answer = await send(`${d.issuer}${path}`, { method });
    ctx.report.check(
      CATEGORY,
      `router: ${method} ${path} → 405 with Allow: ${allow}`,
      answer.status === 405 && answer.headers.get('allow') === allow && oauthError(answer, 'invalid_request'),
      `answered ${answer.status} allow=${answer.headers.get('allow')}`,
    );
  }
}

const MASTER_KEY = Buffer.alloc(32, 0x5a).toString('base64');
const SEALED = /^mk1\./;

/**
 * The data dir of a SQLite server started with SESAME_MASTER_KEY, as a thief who copied it (a
 * backup, a volume snapshot) reads it: the private signing keys and the server's HMAC secrets must
 * be ciphertext, no private JWK member in the file or its WAL, and the copy must not start
 * without the key.
 */
async function keysAtRest(ctx: Context): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sesame-attacks-at-rest-'));
  const copy = `${dataDir}-copy`;
  ctx.cleanup.push(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
  });
  const port = await freePort();
  const server = startSesame(port, dataDir, { SESAME_MASTER_KEY: MASTER_KEY, SESAME_WORKERS: '1' });
  ctx.cleanup.push(() => server.stop());
  await waitForOk(`http://127.0.0.1:${port}/healthz`, server);

  const file = join(dataDir, 'sesame.db');
  const disk = [file, `${file}-wal`]
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');
  ctx.report.check(
    CATEGORY,
    'at rest: no private JWK member ("d") in sesame.db or its WAL',
    !disk.includes('"d":"'),
  );
  const raw = new Database(file, { readonly: true });
  try {
    const keys = raw.prepare('select private_jwk as text from signing_keys').all() as Array<{ text: string }>;
    const settings = raw
      .prepare("select value as text from settings where name like '%secret%'")
      .all() as Array<{ text: string }>;
    ctx.report.check(
      CATEGORY,
      `at rest: ${keys.length} signing key(s) stored as ciphertext`,
      keys.length > 0 && keys.every((row) => SEALED.test(row.text)),
    );
    ctx.report.check(
      CATEGORY,
      `at rest: ${settings.length} HMAC secret(s) stored as ciphertext`,
      settings.length > 0 && settings.every((row) => SEALED.test(row.text)),
    );
  } finally {
    raw.close();
  }

  cpSync(dataDir, copy, { recursive: true });
  const stolen = await sesame(['keys', 'list', '--data-dir', copy]);
  ctx.report.check(
    CATEGORY,
    'at rest: a copy of the data dir without the master key is refused, in one line',
    stolen.code !== 0 &&
      stolen.stderr.trim().split('\n').length === 1 &&
      /SESAME_MASTER_KEY/.test(stolen.stderr),
    `exit ${stolen.code}: ${stolen.stderr.trim().slice(0, 160)}`,
  );
}

/** Requests at the edges of HTTP: what the router and the parsers answer before any route. */
export async function httpEdgeAttacks(ctx: Context): Promise<void> {
  await duplicateJsonKeys(ctx, ctx.main);
  await routerEdges(ctx, ctx.main);
  await keysAtRest(ctx);
}
