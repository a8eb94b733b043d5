/**
 * Logout with the real `sesame` processes: a client registered by CLI with a post-logout redirect
 * URI and a back-channel logout URI; `sesame serve` signs a user in, advertises the logout in its
 * discovery, ends the session at the end-session endpoint, redirects to the registered URI with
 * `state`, and POSTs a logout token to a local receiver that verifies it against the served JWKS;
 * then `sesame users disable` (a one-shot command) ends a second session and delivers its logout
 * token before it exits.
 */
import {
  authorizeUrl,
  Browser,
  type LogoutReceiver,
  pkce,
  type Started,
  signInAndConsent,
  startDeployment,
  startLogoutReceiver,
} from '@sesame/testkit';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyLogoutToken } from '../helpers/logout-receiver.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const BYE = 'http://127.0.0.1:9/bye';
const ALICE = { username: 'alice', password: 'alice password 1' };
const running: Started[] = [];
let rp: LogoutReceiver | undefined;
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  await rp?.close();
});

describe('sesame: logout (real processes)', { timeout: 120_000 }, () => {
  it('ends the session at the end-session endpoint and tells the client by back channel, also from the CLI', async () => {
    rp = await startLogoutReceiver();
    // The CLI signs logout tokens too: startDeployment gives it the server's issuer.
    const deployment = await startDeployment({
      user: { ...ALICE, scopes: 'openid quiz' },
      client: {
        name: 'Quiz Web',
        grants: 'authorization_code,refresh_token',
        scopes: 'openid quiz',
        redirectUri: REDIRECT,
        args: ['--post-logout-redirect-uri', BYE, '--backchannel-logout-uri', `${rp.base}/logout`],
      },
    });
    running.push(deployment.server);
    const { base, sesame } = deployment;
    const { id: clientId, secret } = deployment.client;
    const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({
      end_session_endpoint: `${base}/oauth/logout`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });

    /** A browser signs in and the client redeems the code: the ID token. */
    const signIn = async (browser: Browser) => {
      const { verifier, challenge } = pkce();
      const url = authorizeUrl({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid quiz',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const { back } = await signInAndConsent(browser, url, ALICE);
      const code = new URL(back.location!).searchParams.get('code')!;
      const response = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: REDIRECT,
        }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { id_token: string }).id_token;
    };
    const verifyAt = async (n: number, sid: unknown) => {
      const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: object[] };
      const claims = await verifyLogoutToken(rp!.received[n]!.fields.logout_token!, jwks, {
        issuer: base,
        audience: clientId,
      });
      expect(claims.sid).toBe(sid);
    };

    const browser = new Browser(base);
    const idToken = await signIn(browser);
    const logout = await browser.get(
      `/oauth/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 'see you' })}`,
    );
    expect(logout.status).toBe(302);
    expect(logout.location).toBe(`${BYE}?state=see+you`);
    await rp.arrived(1);
    await verifyAt(0, decodeJwt(idToken).sid);
    // The session is over: the authorization endpoint asks for the password again.
    const again = await browser.get(
      authorizeUrl({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(again.body).toContain('/oauth/authorize/login');

    // A second session, ended by a one-shot command: its logout token is out before it exits.
    const second = await signIn(new Browser(base));
    const disabled = await sesame(['users', 'disable', 'alice']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(rp.received).toHaveLength(2);
    await verifyAt(1, decodeJwt(second).sid);
  });
});
