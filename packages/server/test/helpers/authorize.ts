import { authorizeUrl, pkce, signInAndConsent } from '@sesame/testkit';
import { ALICE, locationParams, PageClient, type TestApp } from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/**
 * The redirect URI of the authorization code route tests' clients. The steps of the flow (PKCE, the
 * forms, PageClient, signInAndConsent) are @sesame/testkit's, shared with e2e/ and attacks/.
 */
export const REDIRECT = 'https://client.example/callback';

/** The issuer of createTestApp's app: the `iss` of every authorization response (RFC 9207). */
export const ISSUER = 'http://127.0.0.1:8080';

type ClientFields = Parameters<TestApp['services']['clients']['create']>[0];

/**
 * Registers a code-flow client named `clientId` (confidential unless the fields say otherwise,
 * scopes openid and quiz, redirect URI REDIRECT) and answers its secret (null when public).
 *
 * @example const secret = await registerWebClient(t, 'quiz-web');
 */
export async function registerWebClient(
  t: TestApp,
  clientId: string,
  fields: Partial<ClientFields> = {},
): Promise<string | null> {
  const made = await t.services.clients.create(
    {
      name: clientId,
      clientId,
      grantTypes: ['authorization_code'],
      scopes: ['openid', 'quiz'],
      redirectUris: [REDIRECT],
      ...fields,
    },
    'test',
  );
  return made.clientSecret;
}

/**
 * A file's authorization request parameters: quiz-web's code request to REDIRECT with scopes openid
 * and quiz, a fresh S256 challenge, and the file's own `base` (its state at least). The answered
 * function lays `extra` over them; an empty value drops the parameter.
 *
 * @example const params = authorizeParams({ state: 'st-9' }); authorizeUrl(params({ prompt: 'none' }))
 */
export function authorizeParams(base: { state: string } & Record<string, string>) {
  return (extra: Record<string, string> = {}, challenge = pkce().challenge): Record<string, string> => {
    const all: Record<string, string> = {
      response_type: 'code',
      client_id: 'quiz-web',
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...base,
      ...extra,
    };
    return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== ''));
  };
}

/**
 * A browser where alice is signed in and has consented, through the request `params` make (which
 * must answer with a redirect carrying a code).
 */
export async function signedInBrowser(t: TestApp, params: Record<string, string>): Promise<PageClient> {
  const browser = new PageClient(t.app);
  const { back } = await signInAndConsent(browser, authorizeUrl(params), ALICE);
  expect(locationParams(back).get('code')).toBeTruthy();
  return browser;
}

/**
 * A redirect (302 for a GET, 303 for a POST) to REDIRECT with this error, the state and iss, no
 * code, and no page in its body.
 */
export function expectErrorBack(
  response: LightMyRequestResponse,
  expected: { error: string; state: string; status?: 302 | 303 },
) {
  expect(response.statusCode, response.body).toBe(expected.status ?? 302);
  expect(String(response.headers.location).startsWith(`${REDIRECT}?`)).toBe(true);
  const back = locationParams(response);
  expect([back.get('error'), back.get('state'), back.get('iss')]).toEqual([
    expected.error,
    expected.state,
    ISSUER,
  ]);
  expect(back.get('code')).toBeNull();
  expect(response.body).not.toMatch(/<form|<html/i);
}

/** The login page of the authorization request (200, with the login form). */
export const isLoginPage = (response: LightMyRequestResponse) =>
  response.statusCode === 200 && response.body.includes('action="/oauth/authorize/login"');

/** The consent page of the authorization request (200, with the consent form). */
export const isConsentPage = (response: LightMyRequestResponse) =>
  response.statusCode === 200 && response.body.includes('action="/oauth/authorize/consent"');
