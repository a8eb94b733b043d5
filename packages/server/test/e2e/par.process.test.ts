/**
 * Pushed authorization requests (RFC 9126) against the real `sesame serve` process, by a client
 * library no one here wrote (oauth4webapi): a client registered by CLI with `--require-par` pushes
 * its request (pushedAuthorizationRequest, client_secret_basic), the user signs in and consents
 * through the request_uri, the library checks the response (state, iss) and exchanges the code. The
 * same request in the query is refused until `sesame clients set --no-require-par`.
 */
import { Browser, type Deployment, eventually, signInAndConsent, startDeployment } from '@sesame/testkit';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIRECT = 'http://127.0.0.1:9/callback';
const ALICE = { username: 'alice', password: 'alice password 1' };
const insecure = { [oauth.allowInsecureRequests]: true }; // plain http on 127.0.0.1

let deployment: Deployment;
beforeAll(async () => {
  deployment = await startDeployment({
    user: { ...ALICE, scopes: 'openid quiz' },
    client: {
      name: 'Pushing Web',
      grants: 'authorization_code',
      scopes: 'openid quiz',
      redirectUri: REDIRECT,
      args: ['--require-par'],
    },
  });
}, 120_000);
afterAll(() => deployment?.server.stop());

describe('PAR with oauth4webapi (real process)', { timeout: 120_000 }, () => {
  it('pushes, authorizes by request_uri, exchanges the code; a request in the query is refused until --no-require-par', async () => {
    const issuer = new URL(deployment.base);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
    expect(as.pushed_authorization_request_endpoint).toBe(`${deployment.base}/oauth/par`);
    expect(as.require_pushed_authorization_requests).toBe(false);

    const client: oauth.Client = { client_id: deployment.client.id };
    const clientAuth = oauth.ClientSecretBasic(deployment.client.secret!);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const request = {
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid quiz',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    };

    // Not pushed: refused, back to the client (its redirect URI is registered).
    const plain = new URL(as.authorization_endpoint!);
    plain.search = new URLSearchParams({ client_id: client.client_id, ...request }).toString();
    const refused = await new Browser(deployment.base).get(plain.href);
    expect(refused.status).toBe(302);
    expect(new URL(refused.location!).searchParams.get('error')).toBe('invalid_request');

    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      client,
      await oauth.pushedAuthorizationRequest(as, client, clientAuth, request, insecure),
    );
    expect(pushed.expires_in).toBe(60);
    const byReference = new URL(as.authorization_endpoint!);
    byReference.search = new URLSearchParams({
      client_id: client.client_id,
      request_uri: pushed.request_uri,
    }).toString();
    const { page, back } = await signInAndConsent(new Browser(deployment.base), byReference.href, ALICE);
    expect(page.status).toBe(200);
    const callback = new URL(back.location!);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT, verifier, insecure),
      { expectedNonce: nonce, requireIdToken: true },
    );
    expect(tokens.scope).toBe('openid quiz');

    // Used once: the same request_uri again is an error page, not a redirect.
    const again = await new Browser(deployment.base).get(byReference.href);
    expect([again.status, again.body.includes('invalid_request_uri')]).toEqual([400, true]);

    const set = await deployment.sesame(['clients', 'set', '--no-require-par', '--', client.client_id]);
    expect(set.code, set.stderr).toBe(0);
    // The server remembers a client for up to a second (domain/clients/clients.ts), so a change
    // made by another process is seen when that runs out: asked until then, never assumed. When the
    // CLI took less than that second, the first ask still got the PAR refusal.
    let allowed = { status: 0 };
    await eventually(async () => {
      allowed = await new Browser(deployment.base).get(plain.href);
      return allowed.status !== 302;
    }, 30_000);
    expect(allowed.status).toBe(200); // the login page
  });
});
