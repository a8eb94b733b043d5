import { expectAccepted, expectRejected, guardStatus, introspect, login } from '../lib/deployment.js';
import { parts, segment } from '../lib/jose.js';
import { sesameJson } from '../lib/processes.js';
import { inBatches } from '../lib/report.js';
import { type Context, waitUntil } from '../lib/setup.js';

const CATEGORY = 'claims, issuers, audiences, token kinds';

/**
 * Claims changed under the original signature; a token from another Sesame (own keys, own issuer);
 * a genuine token for another audience; refresh and access tokens swapped.
 */
export async function claimAttacks(ctx: Context): Promise<void> {
  const { report, main, other } = ctx;
  const issued = await login(main);
  const genuine = issued.access_token;
  const { payload, h, s } = parts(genuine);
  const now = Math.floor(Date.now() / 1000);
  const changed: Array<[string, Record<string, unknown>]> = [
    ['sub changed to another user', { ...payload, sub: `${payload.sub}x` }],
    ['sub removed', { ...payload, sub: undefined }],
    ['scope raised to admin', { ...payload, scope: 'openid quiz admin' }],
    ['scope as the classic scopes array', { ...payload, scopes: ['openid', 'quiz', 'admin'] }],
    ['aud changed to another API', { ...payload, aud: 'billing-api' }],
    ['aud as a list adding another API', { ...payload, aud: ['quiz-api', 'billing-api'] }],
    ['exp moved a year ahead', { ...payload, exp: now + 365 * 86_400 }],
    ['exp removed', { ...payload, exp: undefined }],
    ['exp as a string', { ...payload, exp: String(payload.exp) }],
    ['iss changed', { ...payload, iss: 'http://127.0.0.1:1' }],
    ['client_id changed', { ...payload, client_id: 'another-client' }],
    ['jti changed (dodging a revocation)', { ...payload, jti: 'not-revoked' }],
    ['sid removed (dodging a session revocation)', { ...payload, sid: undefined }],
    ['username changed to admin', { ...payload, username: 'admin' }],
  ];
  const cases: Array<[string, string]> = changed.map(([name, claims]) => [
    `${name}, original signature`,
    `${h}.${segment(claims)}.${s}`,
  ]);
  await inBatches(cases, 8, ([name, token]) => expectRejected(report, main, CATEGORY, name, token));

  // Another issuer: a genuine token of the other deployment, same client shape and audience.
  const foreign = (await login(other)).access_token;
  await expectRejected(
    report,
    main,
    CATEGORY,
    'a genuine token of another Sesame (other issuer, other keys)',
    foreign,
  );

  // Another audience: genuine, from this server, for another API. Only the guard judges audience:
  // /userinfo and introspection belong to the issuer, for which every token it issued is genuine.
  const billing = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'billing app', '--public', '--grant', 'password', '--scopes', 'openid quiz'],
    ...['--audience', 'billing-api', '--data-dir', main.dataDir],
  ]);
  const forBilling = (await login(main, 'openid quiz', billing.client_id)).access_token;
  await expectRejected(
    report,
    main,
    CATEGORY,
    'a genuine token for another audience (billing-api)',
    forBilling,
    {
      only: ['guard'],
    },
  );

  // A refresh token is no access token, and the other way round.
  const refresh = issued.refresh_token!;
  await expectRejected(report, main, CATEGORY, 'the refresh token as a bearer token', refresh, {
    only: ['guard', 'userinfo'],
  });
  const seen = await introspect(main, refresh);
  const kind = (seen.body as { token_type?: string }).token_type;
  report.check(
    CATEGORY,
    'the refresh token is never introspected as an access token',
    seen.status === 200 && kind !== 'Bearer' && kind !== 'access_token',
    JSON.stringify(seen.body),
  );
  const asRefresh = await fetch(`${main.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: main.appClientId,
      refresh_token: genuine,
    }),
  });
  const answer = (await asRefresh.json()) as { error?: string };
  report.check(
    CATEGORY,
    'the access token as a refresh_token at /oauth/token',
    asRefresh.status === 400 && answer.error === 'invalid_grant',
    `${asRefresh.status} ${JSON.stringify(answer)}`,
  );
  // Presenting the access token at the token endpoint did not burn it.
  report.check(
    CATEGORY,
    'control: the genuine token still passes the guard',
    (await guardStatus(main, genuine)) === 200,
  );
}

/**
 * A genuinely expired token: issued by the other deployment (access tokens of 10 s, the minimum)
 * at start-up, accepted then, and presented again after its exp.
 */
export async function expiryAttack(ctx: Context, issued: { token: string; exp: number }): Promise<void> {
  const { report, other } = ctx;
  await waitUntil(issued.exp * 1000 + 1500);
  await expectRejected(report, other, CATEGORY, 'a genuine token after its exp (10 s life)', issued.token);
}

/** Logs in at the other deployment and checks the token works now, for `expiryAttack` later. */
export async function prepareExpiry(ctx: Context): Promise<{ token: string; exp: number }> {
  const token = (await login(ctx.other)).access_token;
  await expectAccepted(ctx.report, ctx.other, CATEGORY, 'a 10-second token before its exp', token);
  return { token, exp: parts(token).payload.exp as number };
}
