/**
 * The code flow over app.inject for the session and logout tests: code-flow clients registered
 * with their logout fields, a browser that signs in (or reuses its session) and gets a code, the
 * code's exchange, and the ID token verified as a relying party does (jose, the JWKS).
 */
import { authorizeUrl, formFields, pkce, signInAndConsent } from '@sesame/testkit';
import { ALICE, locationParams, type PageClient, postForm, type TestApp } from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { expect } from 'vitest';

export const REDIRECT = 'https://client.example/callback';
export const ISSUER = 'http://127.0.0.1:8080';

export interface WebClient {
  id: string;
  secret: string;
}

/**
 * Registers a confidential code-flow client (openid and quiz; refresh unless `refresh: false`).
 *
 * @example const web = await webClient(t, 'web-a', { postLogoutRedirectUris: ['https://client.example/bye'] });
 */
export async function webClient(
  t: TestApp,
  id: string,
  fields: { refresh?: boolean; postLogoutRedirectUris?: string[]; backchannelLogoutUri?: string } = {},
): Promise<WebClient> {
  const { refresh = true, ...logout } = fields;
  const created = await t.services.clients.create(
    {
      name: `the ${id} app`,
      clientId: id,
      type: 'confidential',
      grantTypes: refresh ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
      scopes: ['openid', 'quiz'],
      redirectUris: [REDIRECT],
      ...logout,
    },
    'test',
  );
  return { id, secret: created.clientSecret! };
}

/**
 * Signs in when needed (as `user`), consents when asked, and answers the code and its verifier.
 * `extra` adds to or replaces the request's parameters (scope openid quiz, state st, PKCE).
 */
export async function authorize(
  browser: PageClient,
  clientId: string,
  extra: Record<string, string> = {},
  user: { username: string; password: string } = ALICE,
): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const url = authorizeUrl({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  let back: LightMyRequestResponse = await browser.get(url);
  if (back.body.includes('/oauth/authorize/login')) back = (await signInAndConsent(browser, url, user)).back;
  else if (back.body.includes('/oauth/authorize/consent')) {
    back = await browser.post('/oauth/authorize/consent', {
      ...formFields(back.body, '/oauth/authorize/consent'),
      decision: 'allow',
    });
  }
  const code = locationParams(back).get('code');
  expect(code, back.body).toMatch(/^[\w-]{43}$/);
  return { code: code!, verifier };
}

/** The token request of a code; answers the response (checked by the caller). */
export function redeem(t: TestApp, client: WebClient, grant: { code: string; verifier: string }) {
  return postForm(t.app, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: client.id,
    client_secret: client.secret,
    code: grant.code,
    code_verifier: grant.verifier,
    redirect_uri: REDIRECT,
  });
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token: string;
}

/** Redeems a code, expecting tokens. */
export async function exchange(
  t: TestApp,
  client: WebClient,
  grant: { code: string; verifier: string },
): Promise<Tokens> {
  const response = await redeem(t, client, grant);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Tokens;
}

/** The whole flow for a browser and a client: its tokens. */
export async function signInTo(t: TestApp, browser: PageClient, client: WebClient): Promise<Tokens> {
  return exchange(t, client, await authorize(browser, client.id));
}

/** Verifies an ID token as a relying party does: the JWKS, the issuer, its own client id. */
export async function verifyIdToken(t: TestApp, token: string, clientId: string): Promise<JWTPayload> {
  const jwks = createLocalJWKSet((await t.app.inject({ url: '/.well-known/jwks.json' })).json());
  const { payload } = await jwtVerify(token, jwks, {
    issuer: ISSUER,
    audience: clientId,
    typ: 'JWT',
    currentDate: new Date(t.clock.now()),
  });
  return payload;
}

/** A refresh with the client's credentials; answers the response (checked by the caller). */
export function refresh(t: TestApp, client: WebClient, refreshToken: string) {
  return postForm(t.app, '/oauth/token', {
    grant_type: 'refresh_token',
    client_id: client.id,
    client_secret: client.secret,
    refresh_token: refreshToken,
  });
}

/** A refresh with the client's credentials; answers the status. */
export async function refreshStatus(t: TestApp, client: WebClient, refreshToken: string): Promise<number> {
  return (await refresh(t, client, refreshToken)).statusCode;
}

/** Whether Sesame still takes an access token (its own /userinfo). */
export async function accessWorks(t: TestApp, accessToken: string): Promise<boolean> {
  const response = await t.app.inject({
    url: '/userinfo',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return response.statusCode === 200;
}
