import { basic, type Deployment, login, type TokenResponse } from '../lib/deployment.js';
import { sesame, sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'entitlement';
/** An administrator of the deployment (scopes openid admin), made by the CLI for this category. */
const BOSS = { username: 'boss', password: 'boss password 1' };

/** The password grant for BOSS through a client; any failure is a broken harness, not a verdict. */
async function bossToken(d: Deployment, clientId: string, scope: string): Promise<TokenResponse> {
  const response = await fetch(`${d.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: clientId, ...BOSS, scope }),
  });
  if (response.status !== 200) throw new Error(`${d.name}: boss login answered ${response.status}`);
  return (await response.json()) as TokenResponse;
}

async function addUser(d: Deployment, token: string, username: string): Promise<number> {
  const response = await fetch(`${d.issuer}/admin/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: `${username} password 1`, scopes: ['openid', 'admin'] }),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * An unrelated confidential client (no permissions, not the token's audience) introspects the
 * player's tokens and reads the revocation feed: it must learn nothing.
 */
async function unrelatedClientAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const stranger = await sesameJson<{ client_id: string; client_secret: string }>([
    ...['clients', 'add', 'stranger', '--grant', 'client_credentials', '--data-dir', main.dataDir],
  ]);
  const auth = basic(stranger.client_id, stranger.client_secret);
  const session = await login(main, 'openid quiz');
  for (const [name, token] of [
    ['access', session.access_token],
    ['refresh', session.refresh_token ?? ''],
  ] as const) {
    const response = await fetch(`${main.issuer}/oauth/introspect`, {
      method: 'POST',
      headers: { authorization: auth },
      body: new URLSearchParams({ token }),
    });
    const body = await response.text();
    report.check(
      CATEGORY,
      `an unrelated client introspecting the player's ${name} token gets only active:false`,
      response.status === 200 && body === '{"active":false}',
      `${response.status} ${body.slice(0, 120)}`,
    );
  }
  for (const path of ['/oauth/revocations', '/oauth/revocations/stream']) {
    const response = await fetch(`${main.issuer}${path}`, { headers: { authorization: auth } });
    await response.body?.cancel();
    report.check(
      CATEGORY,
      `an unrelated client reading ${path} is refused`,
      response.status === 403,
      `answered ${response.status}`,
    );
  }
}

/**
 * Redirect URIs an attacker (or a careless admin) might register: a script URI ends up in a
 * `302 Location` and in the CSP form-action; plain http off-loopback hands codes to the network.
 */
async function redirectUriAttacks(ctx: Context, adminToken: string): Promise<void> {
  const { report, main } = ctx;
  for (const uri of [
    'javascript:alert(document.domain)',
    'data:text/html,<script>alert(1)</script>',
    'http://attacker.example/cb',
    'https://*.attacker.example/cb',
    'https://app.example@attacker.example/cb',
  ]) {
    const response = await fetch(`${main.issuer}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'web', grantTypes: ['authorization_code'], redirectUris: [uri] }),
    });
    const body = await response.text();
    report.check(
      CATEGORY,
      `registering the redirect URI ${uri} is refused`,
      response.status === 400,
      `${response.status} ${body.slice(0, 120)}`,
    );
  }
}

/**
 * Who may use what. A token an API received (aud quiz-api, with that API's own scope named `admin`)
 * replayed at Sesame's admin API must be refused: Sesame's routes take only tokens for Sesame
 * (RFC 9068 §4, RFC 8725 §3.9). Introspection and the revocation feed answer only entitled clients;
 * redirect URIs are https, loopback http or a native app's private-use scheme.
 */
export async function entitlementAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const dir = ['--data-dir', main.dataDir];
  const boss = await sesame(
    ['users', 'add', BOSS.username, '--password-stdin', '--scopes', 'openid admin', ...dir],
    `${BOSS.password}\n`,
  );
  if (boss.code !== 0) throw new Error(`users add boss: ${boss.stderr.trim()}`);
  // The quiz example's app client: its tokens are for the quiz API, where `admin` means "may add
  // questions".
  const quizOnly = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'quiz admin app', '--public', '--grant', 'password'],
    ...['--scopes', 'openid quiz admin', '--audience', 'quiz-api', ...dir],
  ]);
  const forSesame = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'sesame console', '--public', '--grant', 'password'],
    ...['--scopes', 'openid admin', ...dir],
  ]);

  const control = await bossToken(main, forSesame.client_id, 'openid admin');
  const made = await addUser(main, control.access_token, 'control-user');
  if (!report.check(CATEGORY, 'control: a token for Sesame adds a user', made === 201, `answered ${made}`))
    return;

  const replayed = await bossToken(main, quizOnly.client_id, 'openid admin');
  const status = await addUser(main, replayed.access_token, 'mallory');
  report.check(
    CATEGORY,
    'a quiz-api token with scope admin replayed at POST /admin/users is refused',
    status === 401,
    `answered ${status}`,
  );
  // RFC 9700 §2.4: the built-in docs client logs in with the code flow; the password grant, with
  // scope admin, is not open through it.
  const docs = await fetch(`${main.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'sesame-docs',
      ...BOSS,
      scope: 'openid admin',
    }),
  });
  const docsBody = await docs.text();
  report.check(
    CATEGORY,
    'the password grant through the built-in public client sesame-docs is refused',
    docs.status === 400 && docsBody.includes('unauthorized_client'),
    `${docs.status} ${docsBody.slice(0, 120)}`,
  );
  await unrelatedClientAttacks(ctx);
  await redirectUriAttacks(ctx, control.access_token);
  await outOfRangeQueries(ctx, control.access_token);
}

/**
 * Admin query integers no store compares exactly (past 2^53; past 2^63 PostgreSQL's bigint fails
 * the query): refused with 400 invalid_request, never a 500 from the store.
 */
async function outOfRangeQueries(ctx: Context, adminToken: string): Promise<void> {
  for (const path of [
    '/admin/audit?afterId=100000000000000000000',
    '/admin/audit?since=9223372036854775808',
    '/admin/users?offset=9007199254740992',
  ]) {
    const response = await fetch(`${ctx.main.issuer}${path}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const body = await response.text();
    ctx.report.check(
      CATEGORY,
      `GET ${path} is refused as invalid_request`,
      response.status === 400 && body.includes('"invalid_request"'),
      `${response.status} ${body.slice(0, 120)}`,
    );
  }
}
