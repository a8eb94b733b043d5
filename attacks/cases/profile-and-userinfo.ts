import type { Deployment } from '../lib/deployment.js';
import { sesame, sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'profile and userinfo';

interface Answer {
  status: number;
  text: string;
  challenge: string | null;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return {
    status: response.status,
    text: await response.text(),
    challenge: response.headers.get('www-authenticate'),
  };
}

/** A user made with the CLI, given a profile, and a password-grant token for it. */
async function userWithToken(d: Deployment, clientId: string, name: string, scopes: string, extra: string[]) {
  const password = `${name} password 1`;
  const made = await sesame(
    ['users', 'add', name, '--password-stdin', '--scopes', scopes, ...extra, '--data-dir', d.dataDir],
    `${password}\n`,
  );
  if (made.code !== 0) throw new Error(`users add ${name}: ${made.stderr.trim()}`);
  const response = await fetch(`${d.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: clientId,
      username: name,
      password,
      scope: scopes,
    }),
  });
  if (response.status !== 200) throw new Error(`login ${name}: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * Personal data and the admin API that changes it (OpenID Connect Core §5.1–§5.4, RFC 6750 §2):
 *  - /userinfo releases a claim only for the scope that selects it, whatever the profile holds;
 *  - POST /userinfo takes its token from one place only (header, form body) and never from a JSON
 *    body or the query, and its errors never echo the token;
 *  - the admin API refuses every claim or field outside the schema (sub, updated_at, prototype keys,
 *    wrong types, script URLs, control characters, huge values), leaves the account as it was, and
 *    answers 400 — never 500; a user without the admin scope is refused;
 *  - a client's registration fields refuse the downgrades (alg none or HS256 for ID tokens, no
 *    client authentication for a confidential client, no PKCE for a public one, script URIs).
 */
export async function profileAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const dir = ['--data-dir', main.dataDir];
  const app = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'profile app', '--public', '--grant', 'password'],
    ...['--scopes', 'openid profile email admin', '--audience', 'sesame', ...dir],
  ]);
  const profile = ['--name', 'Dora Explorer', '--email', 'dora@example.com', '--email-verified', 'yes'];
  const narrow = await userWithToken(main, app.client_id, 'pu-narrow', 'openid', profile);
  const wide = await userWithToken(main, app.client_id, 'pu-wide', 'openid profile email', profile);
  const boss = await userWithToken(main, app.client_id, 'pu-admin', 'openid admin', []);
  const userinfo = (init: RequestInit = {}, query = '') => call(`${main.issuer}/userinfo${query}`, init);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  // Scopes select claims: the profile is stored, but only `profile`/`email` release it.
  const narrowInfo = await userinfo({ headers: bearer(narrow) });
  report.check(
    CATEGORY,
    'a token with openid alone releases no profile or email claim',
    narrowInfo.status === 200 && !/"name"|"email"|"email_verified"/.test(narrowInfo.text),
    `${narrowInfo.status} ${narrowInfo.text.slice(0, 120)}`,
  );
  const wideInfo = await userinfo({ headers: bearer(wide) });
  report.check(
    CATEGORY,
    'control: a token with profile and email releases name, email and email_verified',
    wideInfo.status === 200 &&
      /"name":"Dora Explorer"/.test(wideInfo.text) &&
      /"email_verified":true/.test(wideInfo.text),
    `${wideInfo.status} ${wideInfo.text.slice(0, 120)}`,
  );

  // RFC 6750 §2: one method per request; §2.2 needs a form body; §2.3 (query) is not supported.
  const formBody = (fields: Record<string, string>) => new URLSearchParams(fields);
  const placements: Array<[string, () => Promise<Answer>, number]> = [
    [
      'the token in the header and the form body at once',
      () => userinfo({ method: 'POST', headers: bearer(wide), body: formBody({ access_token: wide }) }),
      400,
    ],
    [
      'the token in the form body and the query at once',
      () => userinfo({ method: 'POST', body: formBody({ access_token: wide }) }, `?access_token=${wide}`),
      400,
    ],
    [
      'two access_token fields in the form body',
      () =>
        userinfo({
          method: 'POST',
          body: `access_token=${wide}&access_token=${narrow}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      400,
    ],
    [
      'the token in a JSON body (RFC 6750 §2.2 allows only a form)',
      () =>
        userinfo({
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ access_token: wide }),
        }),
      401,
    ],
    ['the token in the query of a GET', () => userinfo({}, `?access_token=${wide}`), 400],
    [
      'a form-body token from another issuer',
      async () => {
        const other = await fetch(`${ctx.other.issuer}/oauth/token`, {
          method: 'POST',
          body: formBody({
            grant_type: 'password',
            client_id: ctx.other.appClientId,
            username: 'player',
            password: 'player password 1',
            scope: 'openid',
          }),
        });
        const token = ((await other.json()) as { access_token: string }).access_token;
        return userinfo({ method: 'POST', body: formBody({ access_token: token }) });
      },
      401,
    ],
    [
      'a form-body token that is not a token',
      () =>
        userinfo({
          method: 'POST',
          body: formBody({ access_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }),
        }),
      401,
    ],
  ];
  for (const [name, send, status] of placements) {
    const answer = await send();
    report.check(
      CATEGORY,
      `POST /userinfo: ${name} is refused with ${status} and a Bearer challenge, never echoing a token`,
      answer.status === status &&
        answer.challenge?.startsWith('Bearer') === true &&
        !answer.text.includes(wide) &&
        !answer.text.includes(narrow),
      `${answer.status} ${answer.challenge} ${answer.text.slice(0, 120)}`,
    );
  }
  const inBody = await userinfo({ method: 'POST', body: formBody({ access_token: wide }) });
  report.check(
    CATEGORY,
    'control: the token alone in the form body is accepted',
    inBody.status === 200,
    `${inBody.status}`,
  );

  // The admin API: every value outside the schema is a 400 and changes nothing.
  const admin = (method: string, path: string, body?: string, token = boss) =>
    call(`${main.issuer}/admin${path}`, {
      method,
      headers: body === undefined ? bearer(token) : { ...bearer(token), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });
  const dora = JSON.parse(wideInfo.text) as { sub: string };
  const before = await admin('GET', `/users/${dora.sub}`);
  const refusedProfiles: Array<[string, string]> = [
    ['a sub claim', '{"profile":{"sub":"someone-else"}}'],
    ['updated_at set by hand', '{"profile":{"updated_at":1}}'],
    ['a prototype key', '{"profile":{"__proto__":{"admin":true}}}'],
    ['a constructor key', '{"profile":{"constructor":{"prototype":{"admin":true}}}}'],
    ['an object for a text claim', '{"profile":{"name":{"$ne":null}}}'],
    ['a javascript: picture', '{"profile":{"picture":"javascript:alert(1)"}}'],
    ['a data: picture', '{"profile":{"picture":"data:text/html,<script>alert(1)</script>"}}'],
    ['a line separator in a name', '{"profile":{"name":"Dora\\u2028Admin"}}'],
    ['a newline in a name', '{"profile":{"name":"Dora\\nAdmin"}}'],
    ['a 10,000-character name', `{"profile":{"name":"${'a'.repeat(10_000)}"}}`],
    ['an email with two @', '{"profile":{"email":"a@b@example.com"}}'],
    ['an unknown address part', '{"profile":{"address":{"country":"FR","admin":true}}}'],
    ['a username change', '{"username":"root"}'],
    ['an id change', '{"id":"someone-else"}'],
    ['an empty change', '{}'],
  ];
  for (const [name, body] of refusedProfiles) {
    const answer = await admin('PATCH', `/users/${dora.sub}`, body);
    report.check(
      CATEGORY,
      `PATCH /admin/users: ${name} is refused with 400 and an RFC error body`,
      answer.status === 400 && /"error":"invalid_request"/.test(answer.text) && !answer.text.includes(' at '),
      `${answer.status} ${answer.text.slice(0, 160)}`,
    );
  }
  const after = await admin('GET', `/users/${dora.sub}`);
  report.check(
    CATEGORY,
    'the refused changes left the account exactly as it was',
    before.status === 200 && after.text === before.text,
    `${before.status}/${after.status}`,
  );
  const asUser = await admin('PATCH', `/users/${dora.sub}`, '{"profile":{"name":"Mallory"}}', wide);
  report.check(
    CATEGORY,
    'PATCH /admin/users with a token without the admin scope is refused (403)',
    asUser.status === 403,
    `${asUser.status}`,
  );

  const rp = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'profile rp', '--grant', 'authorization_code', '--scopes', 'openid'],
    ...['--redirect-uri', 'https://rp.example/cb', ...dir],
  ]);
  const spa = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'profile spa', '--public', '--grant', 'authorization_code', '--scopes', 'openid'],
    ...['--redirect-uri', 'https://spa.example/cb', ...dir],
  ]);
  const refusedClients: Array<[string, string, string]> = [
    ['an ID token alg of none', rp.client_id, '{"idTokenSignedResponseAlg":"none"}'],
    ['an ID token alg of HS256', rp.client_id, '{"idTokenSignedResponseAlg":"HS256"}'],
    [
      'no client authentication for a confidential client',
      rp.client_id,
      '{"tokenEndpointAuthMethod":"none"}',
    ],
    ['PKCE turned off for a public client', spa.client_id, '{"requirePkce":false}'],
    [
      'a secret method for a public client',
      spa.client_id,
      '{"tokenEndpointAuthMethod":"client_secret_basic"}',
    ],
    [
      'a javascript: post-logout redirect URI',
      rp.client_id,
      '{"postLogoutRedirectUris":["javascript:alert(1)"]}',
    ],
    [
      'a back-channel logout URI with a fragment',
      rp.client_id,
      '{"backchannelLogoutUri":"https://rp.example/logout#x"}',
    ],
    ['a pairwise subject type (only public is supported)', rp.client_id, '{"subjectType":"pairwise"}'],
    ['a type change to public', rp.client_id, '{"type":"public"}'],
  ];
  const clientBefore = await admin('GET', '/clients');
  for (const [name, clientId, body] of refusedClients) {
    const answer = await admin('PATCH', `/clients/${clientId}`, body);
    report.check(
      CATEGORY,
      `PATCH /admin/clients: ${name} is refused with 400`,
      answer.status === 400 && /"error":"invalid_request"/.test(answer.text),
      `${answer.status} ${answer.text.slice(0, 160)}`,
    );
  }
  const clientAfter = await admin('GET', '/clients');
  report.check(
    CATEGORY,
    'the refused client changes left every client as it was',
    clientBefore.status === 200 && clientAfter.text === clientBefore.text,
    `${clientBefore.status}/${clientAfter.status}`,
  );
}
