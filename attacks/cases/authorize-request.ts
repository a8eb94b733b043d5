import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import {
  authorizeUrl,
  Browser,
  cookieHeader,
  type PageAnswer,
  pkce,
  signInAndConsent,
} from '@sesame/testkit';
import { basic, type Deployment, PLAYER } from '../lib/deployment.js';
import { sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'authorization request';
const REDIRECT = 'http://127.0.0.1:9/callback';

interface Client {
  client_id: string;
  client_secret: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * OpenID Connect's authorization request (Core §3.1.2, §5.5, §6) against a running server: a
 * forged id_token_hint never gets a code (a changed signature or payload, alg none, another
 * issuer's key, HS256 keyed with the JWKS, another client's ID token, an access token); state with
 * markup is escaped on the form_post page under a CSP that allows its one script; odd or huge
 * `claims` JSON is a 4xx, never a 500; `request_uri` is never fetched; a cross-site POST request
 * without PKCE gets no code, one too long to continue as a GET is an error back to the client,
 * and the forms' fields posted to it sign no one in; a copy of the
 * session cookie dies with a new login.
 */
export async function authorizeRequestAttacks(ctx: Context): Promise<void> {
  const { report, main, other } = ctx;
  const metadata = (await (await fetch(`${main.issuer}/.well-known/openid-configuration`)).json()) as {
    claims_parameter_supported?: boolean;
  };
  if (metadata.claims_parameter_supported !== true) {
    report.note('pending: authorization request — the server advertises no claims parameter');
    return;
  }
  const client = (d: Deployment, name: string) =>
    sesameJson<Client>([
      ...['clients', 'add', name, '--grant', 'authorization_code', '--scopes', 'openid quiz'],
      ...['--redirect-uri', REDIRECT, '--data-dir', d.dataDir],
    ]);
  const [web, elsewhere, foreign] = [
    await client(main, 'authz web'),
    await client(main, 'authz other app'),
    await client(other, 'authz foreign'),
  ];
  const request = (of: Client, extra: Record<string, string>, challenge = pkce().challenge) =>
    Object.fromEntries(
      Object.entries({
        response_type: 'code',
        client_id: of.client_id,
        redirect_uri: REDIRECT,
        scope: 'openid quiz',
        state: 'attack-state',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      }).filter(([, value]) => value !== ''),
    );
  const back = (answer: PageAnswer) =>
    answer.location?.startsWith(REDIRECT) ? new URL(answer.location).searchParams : undefined;
  /** Signs in (once per browser) and consents; the ID token and access token the code gives. */
  const tokensOf = async (d: Deployment, of: Client, browser: Browser) => {
    const { verifier, challenge } = pkce();
    const { back: answer } = await signInAndConsent(
      browser,
      authorizeUrl(request(of, {}, challenge)),
      PLAYER,
    );
    const code = back(answer)?.get('code') ?? '';
    const response = await fetch(`${d.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(of.client_id, of.client_secret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      }),
    });
    return (await response.json()) as { id_token: string; access_token: string };
  };

  // id_token_hint: a signed-in player with a consent; each forged hint must get no code.
  const player = new Browser(main.issuer);
  const own = await tokensOf(main, web, player);
  const silent = (hint: string) =>
    player.get(authorizeUrl(request(web, { prompt: 'none', id_token_hint: hint })));
  const control = back(await silent(own.id_token));
  if (!report.check(CATEGORY, 'control: the genuine hint gets a code', control?.get('code') != null)) return;
  const [header, payload, signature] = own.id_token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
  const jwks = await (await fetch(`${main.issuer}/.well-known/jwks.json`)).text();
  const hs256 = (secret: string) => {
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${payload}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const forged: Array<[string, string]> = [
    [
      'a changed signature',
      `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
    ],
    ['a changed sub', `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`],
    ['HS256 keyed with the JWKS', hs256(jwks)],
    ['HS256 keyed with the first JWK', hs256(JSON.stringify(JSON.parse(jwks).keys[0]))],
    ["another issuer's ID token", (await tokensOf(other, foreign, new Browser(other.issuer))).id_token],
    ["another client's ID token", (await tokensOf(main, elsewhere, new Browser(main.issuer))).id_token],
    ['an access token of this server', own.access_token],
  ];
  for (const [name, hint] of forged) {
    const answer = back(await silent(hint));
    report.check(
      CATEGORY,
      `forged id_token_hint gets no code: ${name}`,
      answer !== undefined && answer.get('code') === null && answer.get('error') === 'invalid_request',
      answer?.toString().slice(0, 160) ?? 'no redirect to the client',
    );
  }

  // form_post: the state comes back exactly, escaped, in the one form, under the strict CSP.
  for (const state of [
    '"><script>alert(1)</script>',
    "' onmouseover='x",
    '</form><form action="https://evil.example/">',
  ]) {
    const url = `${main.issuer}${authorizeUrl(request(web, { response_mode: 'form_post', prompt: 'none', state }))}`;
    const response = await fetch(url, { headers: { cookie: cookieHeader(player.cookies) } });
    const page = await response.text();
    const csp = response.headers.get('content-security-policy') ?? '';
    const ok =
      response.status === 200 &&
      !page.includes(state) &&
      (page.match(/<form/g) ?? []).length === 1 &&
      (page.match(/<script/g) ?? []).length === 1 &&
      /^default-src 'none'; script-src 'sha256-[\w+/]+=*'; form-action http:\/\/127\.0\.0\.1:9;/.test(csp) &&
      response.headers.get('cache-control') === 'no-store';
    report.check(CATEGORY, `form_post escapes state: ${state.slice(0, 30)}`, ok, `${response.status} ${csp}`);
  }

  // The claims parameter: odd or huge JSON is refused or ignored, never a 500.
  const odd: Array<[string, string]> = [
    ['9000 characters', JSON.stringify({ id_token: { email: { values: ['x'.repeat(9000)] } } })],
    ['4000 nested arrays', `${'['.repeat(4000)}${']'.repeat(4000)}`],
    ['1300 nested objects', `${'{"a":'.repeat(1300)}null${'}'.repeat(1300)}`],
    [
      '__proto__ members',
      '{"__proto__":{"essential":true},"id_token":{"__proto__":null,"constructor":null}}',
    ],
    ['a huge number', '{"id_token":{"email":{"value":1e999}}}'],
    ['escaped duplicate names', '{"id_token":{"email":null,"\\u0065mail":{"essential":true}}}'],
    ['a lone surrogate', '{"id_token":{"\\ud800":null}}'],
  ];
  for (const [name, value] of odd) {
    const answer = await new Browser(main.issuer).get(authorizeUrl(request(web, { claims: value })));
    report.check(
      CATEGORY,
      `claims parameter, ${name}: a 4xx page, an error back or the login page, never a 500`,
      answer.status < 500 && back(answer)?.get('code') == null,
      `${answer.status}`,
    );
  }

  // request_uri is never fetched, whatever it points at.
  const hits: string[] = [];
  const target = createServer((incoming, response) => {
    hits.push(incoming.url ?? '');
    response.end('eyJhbGciOiJub25lIn0.eyJjbGllbnRfaWQiOiJ4In0.');
  });
  await new Promise<void>((done) => target.listen(0, '127.0.0.1', done));
  try {
    const uri = `http://127.0.0.1:${(target.address() as { port: number }).port}/r`;
    const refusedUri = back(await player.get(authorizeUrl(request(web, { request_uri: uri }))));
    const refusedObject = back(
      await player.get(
        authorizeUrl(request(web, { request: `${b64({ alg: 'none' })}.${b64({ request_uri: uri })}.` })),
      ),
    );
    report.check(
      CATEGORY,
      'request_uri is never fetched (request_uri_not_supported), nor one inside a request object',
      refusedUri?.get('error') === 'request_uri_not_supported' &&
        refusedObject?.get('error') === 'request_not_supported' &&
        hits.length === 0,
      `${refusedUri?.get('error')} ${refusedObject?.get('error')} ${hits.length} fetches`,
    );
  } finally {
    await new Promise((done) => target.close(done));
  }

  // POST authorization requests: a cross-site form without PKCE, and the forms' fields.
  const noPkce = request(web, { code_challenge: '', code_challenge_method: '' });
  for (const [name, browser] of [
    ['cookie-less (cross-site)', new Browser(main.issuer)],
    ['signed-in', player],
  ] as const) {
    const answer = back(await browser.post('/oauth/authorize', noPkce));
    report.check(
      CATEGORY,
      `POST without PKCE gets no code (${name})`,
      answer?.get('error') === 'invalid_request' && answer.get('code') === null,
      answer?.toString().slice(0, 120) ?? 'no redirect to the client',
    );
  }
  // A cross-site POST too long to continue as a GET: the error goes back to the client, never a
  // 303 to a URL the server itself refuses (its GET, sent anyway, is a 431 or 414).
  // A body just under the 16 KiB the server takes, so its GET passes node's 16 KiB header limit.
  const withState = request(web, { state: 's'.repeat(8000) });
  const used = new URLSearchParams(withState).toString().length + '&ui_locales='.length;
  const long = { ...withState, ui_locales: 'a'.repeat(16_300 - used) };
  // A 303 to that GET would itself overflow a client's 16 KiB header limit: fetch fails on it.
  const tooLong: PageAnswer = await new Browser(main.issuer)
    .post('/oauth/authorize', long)
    .catch((error: Error) => ({ status: 0, location: null, body: String(error.cause ?? error) }));
  const asGet = await fetch(`${main.issuer}${authorizeUrl(long)}`, { redirect: 'manual' });
  report.check(
    CATEGORY,
    'a cookie-less POST too long for a GET is invalid_request back to the client (the GET: 431 or 414)',
    back(tooLong)?.get('error') === 'invalid_request' &&
      back(tooLong)?.get('code') === null &&
      [414, 431].includes(asGet.status),
    `${tooLong.status} ${tooLong.location?.slice(0, 60) ?? tooLong.body.slice(0, 80)} then GET ${asGet.status}`,
  );
  const stranger = new Browser(main.issuer);
  await stranger.post('/oauth/authorize', {
    ...request(web, {}),
    ...PLAYER,
    csrf_token: 'x',
    decision: 'allow',
  });
  const after = back(await stranger.get(authorizeUrl(request(web, { prompt: 'none' }))));
  report.check(
    CATEGORY,
    'username and password posted to /oauth/authorize sign no one in',
    after?.get('error') === 'login_required',
    after?.toString().slice(0, 120) ?? 'no redirect',
  );

  // A new login ends the old session: a copy of its cookie gets no code.
  const copied = cookieHeader(player.cookies);
  const { signedIn } = await signInAndConsent(
    player,
    authorizeUrl(request(web, { prompt: 'login' })),
    PLAYER,
  );
  const stale = back(await player.go(authorizeUrl(request(web, { prompt: 'none' })), undefined, copied));
  report.check(
    CATEGORY,
    'a copy of the session cookie is refused after prompt=login',
    signedIn.status === 303 && stale?.get('error') === 'login_required',
    stale?.toString().slice(0, 120) ?? 'no redirect',
  );
}
