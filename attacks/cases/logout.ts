import { randomBytes } from 'node:crypto';
import { createLocalKeySet, decode, type JWKS, verify } from '@sesame/jwt';
import {
  authorizeUrl,
  Browser,
  formFields,
  type PageAnswer,
  pkce,
  signInAndConsent,
  startLogoutReceiver,
} from '@sesame/testkit';
import { basic, type Deployment, login, PLAYER } from '../lib/deployment.js';
import { attackerKey, es256, forge, segment } from '../lib/jose.js';
import { sesame, sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'logout';
const REDIRECT = 'http://127.0.0.1:9/callback';
const BYE = 'http://127.0.0.1:9/bye';
const EVIL_BYE = 'https://evil.example/bye';
const MALLORY = { username: 'mallory', password: 'mallory password 1' };

interface Client {
  client_id: string;
  client_secret: string;
}

/**
 * OpenID Connect logout (RP-Initiated Logout 1.0, Back-Channel Logout 1.0) against a running
 * server. A failed check is an error page that neither signs out nor redirects:
 *  - post_logout_redirect_uri: only a registered one, exactly (no prefix, other case, extra query,
 *    fragment, userinfo trick, another client's URI, or none without the client named);
 *  - id_token_hint: only an ID token of this issuer (a flipped signature, alg none, a swapped
 *    payload, an attacker's key under the server's kid, another Sesame's ID token, an access token);
 *  - logout CSRF: without a hint that proves the request, nothing ends until the user confirms on
 *    a form with a CSRF token; the attacker's own ID token is no such proof;
 *  - back-channel: a client hears only of sessions it signed in through, with its own `aud`; the
 *    listener of an attacker's client never receives another client's logout token.
 */
export async function logoutAttacks(ctx: Context): Promise<void> {
  const { report, main, other } = ctx;
  const metadata = (await (await fetch(`${main.issuer}/.well-known/openid-configuration`)).json()) as {
    end_session_endpoint?: string;
    backchannel_logout_supported?: boolean;
  };
  if (metadata.end_session_endpoint === undefined) {
    report.note('pending: logout — the server advertises no end_session_endpoint');
    return;
  }
  const receiver = await startLogoutReceiver();
  ctx.cleanup.push(() => receiver.close());
  const client = (d: Deployment, name: string, extra: string[]) =>
    sesameJson<Client>([
      ...['clients', 'add', name, '--grant', 'authorization_code,refresh_token', '--scopes', 'openid quiz'],
      ...['--redirect-uri', REDIRECT, ...extra, '--data-dir', d.dataDir],
    ]);
  const app = await client(main, 'logout app', [
    ...['--post-logout-redirect-uri', BYE, '--backchannel-logout-uri', `${receiver.base}/app`],
  ]);
  // The attacker's client: its own redirect URI and back-channel listener.
  const evil = await client(main, 'logout evil', [
    ...['--post-logout-redirect-uri', EVIL_BYE, '--backchannel-logout-uri', `${receiver.base}/evil`],
  ]);
  const elsewhere = await client(other, 'logout app elsewhere', []);
  const added = await sesame(
    [
      'users',
      'add',
      MALLORY.username,
      '--password-stdin',
      '--scopes',
      'openid quiz',
      '--data-dir',
      main.dataDir,
    ],
    `${MALLORY.password}\n`,
  );
  if (added.code !== 0) throw new Error(`users add mallory: ${added.stderr.trim()}`);

  /** A browser signed in to `to` on `d` as `user`: the browser and its ID token. */
  const signIn = async (to: Client, user = PLAYER, d: Deployment = main, browser = new Browser(d.issuer)) => {
    const { verifier, challenge } = pkce();
    const url = authorizeUrl({
      ...{ response_type: 'code', client_id: to.client_id, redirect_uri: REDIRECT, scope: 'openid quiz' },
      ...{ code_challenge: challenge, code_challenge_method: 'S256' },
    });
    // A browser already signed in goes straight to the consent page (or back with a code).
    let back = await browser.get(url);
    if (back.body.includes('/oauth/authorize/login'))
      back = (await signInAndConsent(browser, url, user)).back;
    else if (back.body.includes('/oauth/authorize/consent')) {
      const consent = formFields(back.body, '/oauth/authorize/consent');
      back = await browser.post('/oauth/authorize/consent', { ...consent, decision: 'allow' });
    }
    const code = new URL(back.location ?? '', d.issuer).searchParams.get('code');
    if (code === null) throw new Error(`no code (${back.status})`);
    const response = await fetch(`${d.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(to.client_id, to.client_secret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      }),
    });
    const body = (await response.json()) as { id_token?: string };
    if (body.id_token === undefined) throw new Error(`no ID token (${response.status})`);
    return { browser, idToken: body.id_token };
  };
  /** The browser's session still lives: the authorization endpoint shows no login page. */
  const alive = async (browser: Browser) => {
    const page = await browser.get(
      authorizeUrl({
        ...{ response_type: 'code', client_id: app.client_id, redirect_uri: REDIRECT, scope: 'openid' },
        ...{ code_challenge: pkce().challenge, code_challenge_method: 'S256' },
      }),
    );
    return !page.body.includes('/oauth/authorize/login');
  };
  const logout = (browser: Browser, params: Record<string, string>) =>
    browser.get(`/oauth/logout?${new URLSearchParams(params)}`);
  const describe = (answer: PageAnswer) => `${answer.status}, ${answer.location ?? 'no redirect'}`;
  /** An error page: no redirect, and the session is still there. */
  const refused = async (name: string, browser: Browser, answer: PageAnswer) =>
    report.check(
      CATEGORY,
      name,
      answer.status === 400 && answer.location === null && (await alive(browser)),
      describe(answer),
    );

  const victim = await signIn(app);
  const control = await signIn(app);
  const ok = await logout(control.browser, {
    id_token_hint: control.idToken,
    post_logout_redirect_uri: BYE,
    state: 's',
  });
  report.check(
    CATEGORY,
    'control: a valid hint signs out and goes back to the registered URI',
    ok.status === 302 && ok.location === `${BYE}?state=s` && !(await alive(control.browser)),
    describe(ok),
  );

  // post_logout_redirect_uri: exact registered strings only, never an open redirect.
  const redirects: Array<[string, string]> = [
    ['not registered', 'https://evil.example/'],
    ["another client's registered URI", EVIL_BYE],
    ['a prefix of it (extra path)', `${BYE}x`],
    ['a sub-path', `${BYE}/../../evil`],
    ['a trailing slash', `${BYE}/`],
    ['another case (path)', BYE.toUpperCase().replace('HTTP://', 'http://')],
    ['another case (host)', 'http://LOCALHOST:9/bye'],
    ['an extra query', `${BYE}?next=https://evil.example/`],
    ['a fragment', `${BYE}#https://evil.example/`],
    ['userinfo', 'http://127.0.0.1:9@evil.example/bye'],
    ['scheme-relative', '//evil.example/bye'],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['percent-encoded', 'http%3A%2F%2F127.0.0.1%3A9%2Fbye'],
  ];
  for (const [name, uri] of redirects) {
    for (const [how, params] of [
      ['hint', { id_token_hint: victim.idToken }],
      ['client_id', { client_id: app.client_id }],
    ] as const) {
      await refused(
        `post_logout_redirect_uri ${name} (${how})`,
        victim.browser,
        await logout(victim.browser, { ...params, post_logout_redirect_uri: uri, state: 's' }),
      );
    }
  }
  await refused(
    'post_logout_redirect_uri with no client named',
    victim.browser,
    await logout(victim.browser, { post_logout_redirect_uri: BYE }),
  );
  await refused(
    'client_id of another client than the hint',
    victim.browser,
    await logout(victim.browser, {
      id_token_hint: victim.idToken,
      client_id: evil.client_id,
      post_logout_redirect_uri: EVIL_BYE,
    }),
  );

  // id_token_hint: only this issuer's ID tokens.
  const [h, p, s] = victim.idToken.split('.') as [string, string, string];
  const claims = decode(victim.idToken).payload as Record<string, unknown>;
  const kid = (decode(victim.idToken).header as { kid?: string }).kid;
  const attacker = attackerKey(kid);
  const foreign = await signIn(elsewhere, PLAYER, other);
  const hints: Array<[string, string]> = [
    ['a flipped signature', `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`],
    ['a swapped payload (another sub)', `${h}.${segment({ ...claims, sub: 'someone-else' })}.${s}`],
    ['alg none', `${segment({ alg: 'none', typ: 'JWT' })}.${p}.`],
    ['alg none, no signature part', `${segment({ alg: 'none', typ: 'JWT' })}.${p}`],
    [
      "an attacker's key under the server's kid",
      forge({ alg: 'ES256', typ: 'JWT', kid }, claims, (input) => es256(input, attacker.privateKey)),
    ],
    ['an ID token of another issuer (another Sesame)', foreign.idToken],
    ['an access token of this server', (await login(main)).access_token],
    ['garbage', 'not.a.token'],
  ];
  for (const [name, hint] of hints) {
    await refused(
      `id_token_hint: ${name}`,
      victim.browser,
      await logout(victim.browser, { id_token_hint: hint, post_logout_redirect_uri: BYE }),
    );
  }

  // Logout CSRF: nothing ends without a hint that proves the request, until the user confirms.
  const asksFirst = async (name: string, answer: PageAnswer) =>
    report.check(
      CATEGORY,
      name,
      answer.status === 200 &&
        answer.body.includes('action="/oauth/logout/confirm"') &&
        (await alive(victim.browser)),
      describe(answer),
    );
  await asksFirst('CSRF: a bare GET /oauth/logout asks first', await logout(victim.browser, {}));
  await asksFirst(
    'CSRF: client_id and a registered URI ask first, no redirect',
    await logout(victim.browser, { client_id: app.client_id, post_logout_redirect_uri: BYE }),
  );
  const mallory = await signIn(app, MALLORY);
  await asksFirst(
    "CSRF: the attacker's own ID token does not sign the victim out",
    await logout(victim.browser, { id_token_hint: mallory.idToken, post_logout_redirect_uri: BYE }),
  );
  const page = await logout(victim.browser, { client_id: app.client_id });
  const fields = formFields(page.body, '/oauth/logout/confirm');
  const { csrf_token: _token, ...noToken } = fields;
  const attackerPage = await logout(mallory.browser, { client_id: app.client_id });
  const attackerFields = formFields(attackerPage.body, '/oauth/logout/confirm');
  for (const [name, form] of [
    ['no CSRF token', noToken],
    ["the attacker's own CSRF token", { ...fields, csrf_token: attackerFields.csrf_token ?? '' }],
    ['a made-up CSRF token', { ...fields, csrf_token: randomBytes(32).toString('base64url') }],
  ] as const) {
    const answer = await victim.browser.post('/oauth/logout/confirm', { ...form, decision: 'logout' });
    report.check(
      CATEGORY,
      `CSRF: the confirmation with ${name}`,
      answer.status === 403 && (await alive(victim.browser)),
      describe(answer),
    );
  }
  const swapped = await victim.browser.post('/oauth/logout/confirm', {
    ...fields,
    post_logout_redirect_uri: EVIL_BYE,
    decision: 'logout',
  });
  await refused('the confirmation form with a redirect URI swapped in', victim.browser, swapped);

  // Back-channel: each client hears only of its own sessions, with its own aud.
  if (metadata.backchannel_logout_supported !== true) {
    report.note('pending: back-channel logout — not advertised');
    return;
  }
  const jwks = createLocalKeySet(
    (await (await fetch(`${main.issuer}/.well-known/jwks.json`)).json()) as JWKS,
  );
  const audOf = (token: string | undefined) => {
    try {
      return verify(token ?? '', jwks, { algorithms: ['ES256'], issuer: main.issuer, typ: 'logout+jwt' })
        .payload.aud;
    } catch {
      return 'unverifiable';
    }
  };
  /** Waits for the receiver to hold `count` requests; false after 30 s (a delivery that never came). */
  const arrived = (count: number) =>
    Promise.race([
      receiver.arrived(count).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000).unref()),
    ]);
  // The control logout above told the app once; what follows adds to it.
  const before = await arrived(1);
  const onlyApp = await signIn(app);
  await logout(onlyApp.browser, { id_token_hint: onlyApp.idToken });
  const first = await arrived(2);
  const both = await signIn(app);
  await signIn(evil, PLAYER, main, both.browser);
  await logout(both.browser, { id_token_hint: both.idToken });
  const all = await arrived(4);
  report.check(
    CATEGORY,
    'control: each logout reached the listeners',
    before && first && all,
    `${receiver.received.length} request(s)`,
  );
  const at = (path: string) =>
    receiver.received.filter((got) => got.path === path).map((got) => audOf(got.fields.logout_token));
  report.check(
    CATEGORY,
    "back-channel: the attacker's listener hears only of the session its client signed in through",
    at('/evil').length === 1,
    `${at('/evil').length} token(s)`,
  );
  report.check(
    CATEGORY,
    "back-channel: the attacker's listener never gets another client's token (aud)",
    at('/evil').every((aud) => aud === evil.client_id),
    JSON.stringify(at('/evil')),
  );
  report.check(
    CATEGORY,
    "back-channel: the app's tokens name the app only",
    at('/app').length === 3 && at('/app').every((aud) => aud === app.client_id),
    JSON.stringify(at('/app')),
  );
}
