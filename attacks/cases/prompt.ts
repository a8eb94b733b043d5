import { authorizeUrl, Browser, formFields, type PageAnswer, pkce, signIn } from '@sesame/testkit';
import { PLAYER } from '../lib/deployment.js';
import { sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'prompt and login_hint';
const REDIRECT = 'http://127.0.0.1:9/callback';

/** True when the answer is a page a person would see (a form, or any HTML document). */
const showsPage = (answer: PageAnswer) => /<form|<html|<!doctype/i.test(answer.body);

/** The query of the redirect back to the client, or null when the answer is not one. */
function backToClient(answer: PageAnswer): URLSearchParams | null {
  if (answer.status !== 302 || answer.location === null || !answer.location.startsWith(`${REDIRECT}?`)) {
    return null;
  }
  return new URL(answer.location).searchParams;
}

/**
 * OpenID Connect's prompt=none and login_hint (Core §3.1.2.1, §3.1.2.6) against a running server:
 *  - prompt=none never shows a page once the client and redirect URI are known: with no session, a
 *    forged session cookie, a session without consent, and with every other parameter that could
 *    tip the flow towards a page (max_age=0, a hint, prompt values beside none, PKCE or scope
 *    errors), the answer is a redirect to the client with an error, state and iss;
 *  - a login_hint carrying markup is escaped on the login page, and never skips the password.
 */
export async function promptAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const web = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'prompt web', '--public', '--grant', 'authorization_code'],
    ...['--scopes', 'openid quiz', '--redirect-uri', REDIRECT, '--data-dir', main.dataDir],
  ]);
  /** The authorization request with `extra`; an empty value leaves that parameter out. */
  const request = (extra: Record<string, string>) => {
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: web.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      state: 'attack-state',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
    return authorizeUrl(Object.fromEntries(Object.entries(params).filter(([, value]) => value !== '')));
  };

  /** One prompt=none case: a redirect with `error` (or with a code for 'code'), no page. */
  const neverAPage = async (name: string, answer: PageAnswer, error: string | 'code') => {
    const back = backToClient(answer);
    const got = back === null ? `${answer.status}, ${answer.location ?? 'no location'}` : back.toString();
    const ok =
      back !== null &&
      !showsPage(answer) &&
      back.get('state') === 'attack-state' &&
      back.get('iss') === main.issuer &&
      (error === 'code' ? back.get('code') !== null : back.get('error') === error && !back.has('code'));
    report.check(CATEGORY, `prompt=none never shows a page: ${name}`, ok, got.slice(0, 200));
  };

  const fresh = () => new Browser(main.issuer);
  const withoutSession: Array<[string, Record<string, string>, string]> = [
    ['no session', { prompt: 'none' }, 'login_required'],
    ['no session, max_age=0', { prompt: 'none', max_age: '0' }, 'login_required'],
    ['no session, a login_hint', { prompt: 'none', login_hint: PLAYER.username }, 'login_required'],
    ['no session, prompt "none none"', { prompt: 'none none' }, 'login_required'],
    ['prompt "none login"', { prompt: 'none login' }, 'invalid_request'],
    ['prompt "consent none"', { prompt: 'consent none' }, 'invalid_request'],
    ['prompt "NONE" (values are case-sensitive)', { prompt: 'NONE' }, 'invalid_request'],
    ['max_age=-1', { prompt: 'none', max_age: '-1' }, 'invalid_request'],
    [
      'no PKCE challenge',
      { prompt: 'none', code_challenge: '', code_challenge_method: '' },
      'invalid_request',
    ],
    ['a scope the client may not have', { prompt: 'none', scope: 'openid admin' }, 'invalid_scope'],
    ['response_type=token', { prompt: 'none', response_type: 'token' }, 'unsupported_response_type'],
  ];
  for (const [name, extra, error] of withoutSession) {
    await neverAPage(name, await fresh().get(request(extra)), error);
  }
  const forged = await fresh().go(request({ prompt: 'none' }), undefined, `sesame-session=${'A'.repeat(43)}`);
  await neverAPage('a forged session cookie', forged, 'login_required');

  const player = fresh();
  await signIn(player, request({}), PLAYER);
  await neverAPage(
    'a session without consent',
    await player.get(request({ prompt: 'none' })),
    'consent_required',
  );
  const consentPage = await player.get(request({}));
  await player.post('/oauth/authorize/consent', {
    ...formFields(consentPage.body, '/oauth/authorize/consent'),
    decision: 'allow',
  });
  await neverAPage(
    'control: a session with consent gets a code',
    await player.get(request({ prompt: 'none' })),
    'code',
  );

  const payloads = [
    '"><script>alert(1)</script>',
    "' autofocus onfocus='alert(1)",
    '"><img src=x onerror=alert(1)>',
    '</form><form action="https://evil.example/"><input name="password">',
  ];
  for (const payload of payloads) {
    const page = await fresh().get(request({ login_hint: payload }));
    const escaped =
      !/<script|<img|onfocus='|evil\.example\/"/i.test(page.body) && !page.body.includes(payload);
    const loginPage = page.status === 200 && page.body.includes('action="/oauth/authorize/login"');
    report.check(
      CATEGORY,
      `login_hint is escaped: ${payload.slice(0, 40)}`,
      escaped && loginPage,
      `${page.status}, ${escaped ? 'escaped' : 'markup in the page'}`,
    );
  }
  const hinted = await fresh().get(request({ login_hint: PLAYER.username }));
  report.check(
    CATEGORY,
    'login_hint never skips the password: the login page, not a code',
    hinted.status === 200 && hinted.body.includes('name="password"') && hinted.location === null,
    `${hinted.status}`,
  );
}
