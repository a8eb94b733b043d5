/**
 * The real `sesame serve` process and OpenID Connect's authorization request: a POST authorization
 * request (form-encoded, through the server's real body parsers), answered as the GET is; the
 * form_post response mode's page with its headers as the real server sends them; an
 * id_token_hint checked against the keys the real server loaded from its store; the claims
 * parameter's names kept with the code in the real SQLite store (migration 009) and released.
 */
import {
  authorizeUrl,
  Browser,
  cookieHeader,
  type Deployment,
  pkce,
  signInAndConsent,
  startDeployment,
} from '@sesame/testkit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIRECT = 'http://127.0.0.1:9/callback';
const ALICE = { username: 'alice', password: 'alice password 1' };

let deployment: Deployment;
let base: string;
let clientId: string;

beforeAll(async () => {
  deployment = await startDeployment({
    user: { ...ALICE, scopes: 'openid quiz profile' },
    client: {
      name: 'OIDC Web',
      public: true,
      grants: 'authorization_code',
      scopes: 'openid quiz profile',
      redirectUri: REDIRECT,
    },
  });
  base = deployment.base;
  clientId = deployment.client.id;
}, 120_000);
afterAll(() => deployment?.server.stop());

function params(extra: Record<string, string> = {}): Record<string, string> {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'e2e',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** The token response for the code of a redirect back to the client (a public client: PKCE alone). */
async function exchange(location: string, verifier: string) {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code: new URL(location).searchParams.get('code') ?? '',
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { id_token: string; access_token: string; scope: string };
}

describe('OpenID Connect authorization request (real process)', { timeout: 120_000 }, () => {
  it('POST /oauth/authorize: a code for a signed-in browser, a GET of the same request for a cookie-less one, an error back for a request without PKCE', async () => {
    const browser = new Browser(base);
    const { back } = await signInAndConsent(browser, authorizeUrl(params()), ALICE);
    expect(new URL(back.location!).searchParams.get('code')).toBeTruthy();

    const posted = await browser.post('/oauth/authorize', params());
    expect(posted.status).toBe(303);
    const landed = new URL(posted.location!);
    expect(`${landed.origin}${landed.pathname}`).toBe(REDIRECT);
    expect(landed.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
    expect(landed.searchParams.get('iss')).toBe(base);

    const cookieless = await new Browser(base).post('/oauth/authorize', params());
    expect(cookieless.status).toBe(303);
    expect(cookieless.location!.startsWith('/oauth/authorize?')).toBe(true);

    const withoutPkce = params();
    delete withoutPkce.code_challenge;
    const refused = await browser.post('/oauth/authorize', withoutPkce);
    expect(refused.status).toBe(303);
    expect(new URL(refused.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('response_mode=form_post: a page that posts the code to the redirect URI, with its CSP and no-store', async () => {
    const browser = new Browser(base);
    await signInAndConsent(browser, authorizeUrl(params()), ALICE);
    const response = await fetch(`${base}${authorizeUrl(params({ response_mode: 'form_post' }))}`, {
      headers: { cookie: cookieHeader(browser.cookies) },
      redirect: 'manual',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; script-src 'sha256-[\w+/]{43}='; form-action http:\/\/127\.0\.0\.1:9; /,
    );
    const page = await response.text();
    expect(page).toContain(`<form method="post" action="${REDIRECT}">`);
    expect(page).toMatch(/<input type="hidden" name="code" value="[\w-]{43}">/);
  });

  it('id_token_hint: the ID token of a code exchange names its user; a changed one is invalid_request', async () => {
    const browser = new Browser(base);
    const { verifier, challenge } = pkce();
    const request = params({ code_challenge: challenge });
    const { back } = await signInAndConsent(browser, authorizeUrl(request), ALICE);
    const { id_token: idToken } = await exchange(back.location!, verifier);

    const silent = await browser.get(authorizeUrl(params({ prompt: 'none', id_token_hint: idToken })));
    expect(new URL(silent.location!).searchParams.get('code')).toMatch(/^[\w-]{43}$/);
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const changed = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const refused = await browser.get(authorizeUrl(params({ prompt: 'none', id_token_hint: changed })));
    expect(new URL(refused.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('claims: names asked for the ID token and /userinfo are kept with the code and released', async () => {
    const browser = new Browser(base);
    const { verifier, challenge } = pkce();
    const asked = {
      id_token: { preferred_username: { essential: true } },
      userinfo: { preferred_username: null },
    };
    const request = params({ code_challenge: challenge, claims: JSON.stringify(asked) });
    const { consent, back } = await signInAndConsent(browser, authorizeUrl(request), ALICE);
    expect(consent.body).toContain('<li><code>profile</code>');
    const tokens = await exchange(back.location!, verifier);
    expect(tokens.scope).toBe('openid quiz');
    expect(decodeJwt(tokens.id_token).preferred_username).toBe(ALICE.username);
    const info = await fetch(`${base}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(((await info.json()) as { preferred_username?: string }).preferred_username).toBe(ALICE.username);
  });
});
