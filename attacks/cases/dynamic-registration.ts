import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sesameJson } from '../lib/processes.js';
import type { Report } from '../lib/report.js';
import { type Context, startDeployment } from '../lib/setup.js';

const CATEGORY = 'client registration';
const GOOD = { redirect_uris: ['https://rp.example.com/callback'], client_name: 'attack RP' };
/** Enough for every registration below; the limit itself is attacked last. */
const LIMIT = 40;

interface Answer {
  status: number;
  error?: string;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = { text };
  }
  return {
    status: response.status,
    error: body.error as string | undefined,
    body,
    headers: response.headers,
  };
}

/**
 * Dynamic client registration (RFC 7591 / 7592) on a deployment that requires an initial access
 * token: who may register, what a registration may say, who may manage a registered client, and
 * how often one address may try. Each attack beside its control.
 */
export async function dynamicRegistrationAttacks(ctx: Context): Promise<void> {
  const { report } = ctx;
  const d = await startDeployment('registration', ctx.cleanup, {
    quiz: false,
    env: { SESAME_REGISTRATION: 'token', SESAME_REGISTRATION_RATE_LIMIT: String(LIMIT) },
  });
  const made = await sesameJson<{ token: string }>([
    ...['registration', 'token', 'create', '--label', 'attacks', '--data-dir', d.dataDir],
  ]);
  const register = (body: unknown, token: string | null = made.token, raw?: string) =>
    call(`${d.issuer}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: raw ?? JSON.stringify(body),
    });
  const check = (name: string, ok: boolean, answer: Answer) =>
    report.check(CATEGORY, name, ok, `${answer.status} ${answer.error ?? ''}`);

  const none = await register(GOOD, null);
  check('registration without an initial access token is refused (401)', none.status === 401, none);
  const wrong = await register(GOOD, `${made.token.slice(0, -4)}AAAA`);
  check(
    'registration with a wrong initial access token is refused (401 invalid_token)',
    wrong.status === 401 && wrong.error === 'invalid_token',
    wrong,
  );
  const control = await register(GOOD);
  check('control: with the token, the registration is accepted (201)', control.status === 201, control);

  for (const [what, uri] of [
    ['a fragment', 'https://rp.example.com/cb#x'],
    ['http on a public host', 'http://rp.example.com/cb'],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['a wildcard', 'https://*.example.com/cb'],
  ] as const) {
    const answer = await register({ redirect_uris: [uri] });
    check(
      `a redirect URI with ${what} is refused (invalid_redirect_uri)`,
      answer.status === 400 && answer.error === 'invalid_redirect_uri',
      answer,
    );
  }
  const loopback = await register({ redirect_uris: ['http://127.0.0.1:9/cb'] });
  check('control: a loopback http redirect URI (RFC 8252) is accepted', loopback.status === 201, loopback);

  await jwksUriAttacks(report, register);

  const statement = await register({
    ...GOOD,
    software_statement: 'eyJhbGciOiJub25lIn0.eyJzb2Z0d2FyZV9pZCI6IngifQ.',
  });
  check(
    'a software_statement is refused (unapproved_software_statement)',
    statement.status === 400 && statement.error === 'unapproved_software_statement',
    statement,
  );
  const admin = await register({ ...GOOD, scope: 'openid admin' });
  check(
    'a scope beyond registrationScopes (admin) is refused',
    admin.status === 400 && admin.error === 'invalid_client_metadata',
    admin,
  );
  const password = await register({ ...GOOD, grant_types: ['authorization_code', 'password'] });
  check(
    'the password grant is refused to a registered client',
    password.status === 400 && password.error === 'invalid_client_metadata',
    password,
  );
  const takeover = await register({ ...GOOD, client_id: d.feed.client_id });
  check(
    'a client_id in the metadata does not take over an existing client',
    takeover.status === 201 && takeover.body.client_id !== d.feed.client_id,
    takeover,
  );
  const big = await register(
    undefined,
    made.token,
    JSON.stringify({ ...GOOD, client_name: 'x'.repeat(40_000) }),
  );
  check('an oversized body is refused (413, no 500)', big.status === 413, big);
  const nested = await register(undefined, made.token, `${'['.repeat(5_000)}${']'.repeat(5_000)}`);
  check('a deeply nested body is refused with a 4xx', nested.status >= 400 && nested.status < 500, nested);

  await managementAttacks(report, d.issuer, register, d.feed.client_id);

  // Last: the per-address limit. Every attempt above counted; keep going until it answers 429.
  let limited: Answer | undefined;
  for (let i = 0; i < LIMIT + 1 && limited === undefined; i++) {
    const answer = await register({ redirect_uris: ['javascript:x'] });
    if (answer.status === 429) limited = answer;
  }
  report.check(
    CATEGORY,
    `registrations from one address are limited (429 with Retry-After within ${LIMIT + 1} tries)`,
    limited !== undefined && Number(limited.headers.get('retry-after')) > 0,
    limited === undefined ? 'never limited' : `429 retry-after ${limited.headers.get('retry-after')}`,
  );
  const after = await register(GOOD);
  check('and a good registration is limited too, token or not', after.status === 429, after);
}

type Register = (body: unknown, token?: string | null, raw?: string) => Promise<Answer>;

/** jwks_uri at loopback, link-local and private addresses: refused at registration, no request made. */
async function jwksUriAttacks(report: Report, register: Register): Promise<void> {
  let hits = 0;
  const listener = createServer((_request, response) => {
    hits++;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
  const port = (listener.address() as AddressInfo).port;
  try {
    for (const uri of [
      `https://127.0.0.1:${port}/jwks`,
      `http://127.0.0.1:${port}/jwks`,
      `https://[::ffff:127.0.0.1]:${port}/jwks`,
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/jwks',
      `https://localhost:${port}/jwks`,
    ]) {
      const answer = await register({
        ...GOOD,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: uri,
      });
      report.check(
        CATEGORY,
        `a jwks_uri at ${new URL(uri).host} is refused at registration`,
        answer.status === 400 && answer.error === 'invalid_client_metadata',
        `${answer.status} ${answer.error}`,
      );
    }
    report.check(CATEGORY, 'and no request reached the loopback listener', hits === 0, `${hits} requests`);
    const control = await register({
      ...GOOD,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'https://keys.example.com/jwks',
    });
    report.check(
      CATEGORY,
      'control: a public https jwks_uri is accepted',
      control.status === 201,
      `${control.status}`,
    );
  } finally {
    listener.close();
  }
}

/** RFC 7592: only a client's own registration access token reads, changes or deletes it. */
async function managementAttacks(report: Report, issuer: string, register: Register, adminClient: string) {
  const a = (await register(GOOD)).body;
  const b = (await register(GOOD)).body;
  const at = (id: unknown, method: string, token: unknown, body?: unknown) =>
    call(`${issuer}/oauth/register/${String(id)}`, {
      method,
      headers: {
        authorization: `Bearer ${String(token)}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const put = { client_id: a.client_id, redirect_uris: ['https://evil.example.com/cb'] };
  for (const [method, body] of [['GET'], ['PUT', put], ['DELETE']] as const) {
    const answer = await at(a.client_id, method, b.registration_access_token, body);
    report.check(
      CATEGORY,
      `${method} with another client's registration access token is refused (401 with a Bearer challenge)`,
      answer.status === 401 && (answer.headers.get('www-authenticate') ?? '').startsWith('Bearer'),
      `${answer.status} ${answer.error}`,
    );
  }
  const still = await at(a.client_id, 'GET', a.registration_access_token);
  report.check(
    CATEGORY,
    'control: the client is unchanged and answers its own token',
    still.status === 200 && JSON.stringify(still.body.redirect_uris) === JSON.stringify(GOOD.redirect_uris),
    `${still.status}`,
  );
  const admin = await at(adminClient, 'GET', a.registration_access_token);
  report.check(
    CATEGORY,
    "an administrator's client cannot be managed with any registration token",
    admin.status === 401,
    `${admin.status}`,
  );
  const hijack = await at(a.client_id, 'PUT', a.registration_access_token, {
    ...put,
    client_id: b.client_id,
  });
  report.check(
    CATEGORY,
    'PUT naming another client_id in the body is refused',
    hijack.status === 400,
    `${hijack.status} ${hijack.error}`,
  );
  const gone = await at(a.client_id, 'DELETE', a.registration_access_token);
  const reread = await at(a.client_id, 'GET', a.registration_access_token);
  report.check(
    CATEGORY,
    'control: DELETE with its own token is 204, and the token is dead after',
    gone.status === 204 && reread.status === 401,
    `${gone.status} then ${reread.status}`,
  );
}
