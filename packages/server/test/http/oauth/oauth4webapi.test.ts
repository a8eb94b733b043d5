/**
 * The code flow driven by a third-party, standards-based OAuth client library (oauth4webapi):
 * discovery from the metadata document, PKCE, the authorization response (state and RFC 9207 iss
 * checked by the library), the code exchange, and refresh — against a real listening server; and
 * as an OpenID Connect relying party, the library's checks of the ID token (nonce, iss, aud, alg
 * from discovery). The user's part (login, consent) is played with fetch and the pages' forms.
 */
import { Browser, freePort, signInAndConsent } from '@sesame/testkit';
import { openTempStore } from '@sesame/testkit/app';
import type { FastifyInstance } from 'fastify';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';

const REDIRECT = 'https://app.example/callback';
let app: FastifyInstance;
let store: Awaited<ReturnType<typeof openTempStore>>;
let issuer: URL;
let secret: string;

beforeAll(async () => {
  const port = await freePort();
  store = await openTempStore();
  app = await buildApp({
    config: loadConfig({ values: { logLevel: 'silent', port } }),
    store,
    logger: false,
  });
  issuer = new URL(await app.listen({ host: '127.0.0.1', port }));
  await app.sesame.users.create(
    { username: 'alice', password: 'correct horse battery', scopes: ['openid', 'quiz'] },
    'test',
  );
  const created = await app.sesame.clients.create(
    {
      name: 'oauth4webapi app',
      clientId: 'o4w',
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'quiz'],
      redirectUris: [REDIRECT],
    },
    'test',
  );
  secret = created.clientSecret!;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

/** A user at a browser, reduced to fetch: cookies, the login form, the consent form. */
async function userAuthorizes(authorizationUrl: URL): Promise<URL> {
  const {
    page: login,
    consent,
    back: allowed,
  } = await signInAndConsent(new Browser(issuer.href), authorizationUrl.href, {
    username: 'alice',
    password: 'correct horse battery',
  });
  expect(login.status).toBe(200);
  // Consent remembered from an earlier run: straight back to the client.
  if (consent.status === 302) return new URL(consent.location!);
  expect(allowed.status).toBe(303);
  return new URL(allowed.location!);
}

describe('oauth4webapi against Sesame', () => {
  it('discovers, authorizes with PKCE, exchanges the code and refreshes', async () => {
    const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is plain http on 127.0.0.1
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.authorization_endpoint).toBe(`${issuer.origin}/oauth/authorize`);

    const client: oauth.Client = { client_id: 'o4w' };
    const clientAuth = oauth.ClientSecretBasic(secret);
    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const state = oauth.generateRandomState();
    const authorizationUrl = new URL(as.authorization_endpoint!);
    authorizationUrl.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'quiz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    }).toString();

    const callback = await userAuthorizes(authorizationUrl);
    // Checks state, and iss against the issuer (the metadata announces RFC 9207 support).
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      REDIRECT,
      verifier,
      insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens.token_type).toBe('bearer'); // oauth4webapi lower-cases it
    expect(tokens.scope).toBe('quiz');
    expect(typeof tokens.refresh_token).toBe('string');

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, insecure),
    );
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    // The library refuses a response whose state is not the one it sent.
    expect(() => oauth.validateAuthResponse(as, client, callback, oauth.generateRandomState())).toThrow();
  });

  it('logs in over OpenID Connect: the library validates the ID token and its nonce', async () => {
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
    const client: oauth.Client = { client_id: 'o4w' };
    const clientAuth = oauth.ClientSecretBasic(secret);
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const authorizationUrl = new URL(as.authorization_endpoint!);
    authorizationUrl.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid quiz',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
    }).toString();
    const params = oauth.validateAuthResponse(
      as,
      client,
      await userAuthorizes(authorizationUrl),
      oauth.expectNoState,
    );
    const exchange = () =>
      oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT, verifier, insecure);
    const response = await exchange();
    // A relying party expecting another nonce refuses the response (a replayed or injected code).
    await expect(
      oauth.processAuthorizationCodeResponse(as, client, response.clone(), {
        expectedNonce: oauth.generateRandomNonce(),
      }),
    ).rejects.toThrow(/nonce/);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims).toMatchObject({ iss: issuer.href.replace(/\/$/, ''), aud: 'o4w', nonce, azp: 'o4w' });
    expect(typeof claims.auth_time).toBe('number');

    // Refresh: a new ID token the library validates too, for the same user and login time.
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, insecure),
    );
    const again = oauth.getValidatedIdTokenClaims(refreshed)!;
    expect([again.sub, again.auth_time, again.nonce]).toEqual([claims.sub, claims.auth_time, undefined]);
  });

  it('reports a refused PKCE verifier as an OAuth error the library understands', async () => {
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
    const client: oauth.Client = { client_id: 'o4w' };
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: 'o4w',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'quiz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const params = oauth.validateAuthResponse(as, client, await userAuthorizes(url), oauth.expectNoState);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(secret),
      params,
      REDIRECT,
      oauth.generateRandomCodeVerifier(), // not the one the challenge was made from
      insecure,
    );
    await expect(oauth.processAuthorizationCodeResponse(as, client, response)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
