/**
 * The real `sesame` process: a person registers a client with a redirect URI and a WeChat
 * mini-program by CLI, runs `sesame serve`, goes through the authorize URL (login, consent) to the
 * redirect URI with a code, exchanges it; a mini-program logs in through the wxapp grant against a
 * local jscode2session stand-in; `sesame consents list|revoke` see and take back the consent.
 */
import {
  authorizeUrl,
  Browser,
  pkce,
  type Started,
  signInAndConsent,
  startDeployment,
} from '@sesame/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StandIn, startWechatStandIn } from '../helpers/wechat-stand-in.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const WX_SECRET = 'cli-test-wechat-app-secret';

let wechat: StandIn;
let env: Record<string, string>;
const running: Started[] = [];
beforeAll(async () => {
  wechat = await startWechatStandIn();
  env = {
    SESAME_WECHAT_API_BASE: wechat.base,
    WX_CLI_SECRET: WX_SECRET,
  };
});
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  await wechat.close();
});

describe('sesame: authorization code and wxapp (real process)', { timeout: 120_000 }, () => {
  it('registers by CLI, authorizes in "a browser", exchanges the code, logs a mini-program in, revokes consent', async () => {
    const deployment = await startDeployment({
      env,
      user: { username: 'alice', password: 'alice password 1', scopes: 'quiz' },
      client: {
        name: 'Quiz Web',
        grants: 'authorization_code,refresh_token',
        scopes: 'quiz',
        redirectUri: REDIRECT,
      },
    });
    running.push(deployment.server);
    const { base, sesame } = deployment;
    const { id: webId, secret: webSecret = '' } = deployment.client;
    const { id: miniId, secret: miniSecret = '' } = await deployment.addClient({
      name: 'Quiz Mini',
      grants: 'client_credentials',
      scopes: 'quiz',
    });
    // Client ids are random base64url and may start with "-": they go after "--".
    const wx = await sesame([
      'clients',
      'wxapp',
      '--appid',
      'wx-cli-app',
      '--secret-env',
      'WX_CLI_SECRET',
      '--',
      miniId,
    ]);
    expect(wx.code, wx.stderr).toBe(0);
    expect(wx.stdout).toContain('AppSecret read from $WX_CLI_SECRET');
    expect(wx.stdout + wx.stderr).not.toContain(WX_SECRET);
    const refused = await sesame([
      'clients',
      'wxapp',
      '--appid',
      'wx-cli-app',
      '--secret-env',
      'SESAME_X',
      '--',
      miniId,
    ]);
    expect(refused.code).not.toBe(0);

    // The person's browser, reduced to fetch with a cookie jar.
    const { verifier, challenge } = pkce();
    const authorize = authorizeUrl({
      response_type: 'code',
      client_id: webId,
      redirect_uri: REDIRECT,
      scope: 'quiz',
      state: 'cli',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const { page: login, back } = await signInAndConsent(new Browser(base), authorize, {
      username: 'alice',
      password: 'alice password 1',
    });
    expect(login.status).toBe(200);
    expect(back.status).toBe(303);
    const landed = new URL(back.location!);
    expect(`${landed.origin}${landed.pathname}`).toBe(REDIRECT);
    expect(landed.searchParams.get('state')).toBe('cli');

    const token = (fields: Record<string, string>, id: string, secret: string) =>
      fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams(fields),
      });
    const exchanged = await token(
      {
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code')!,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      },
      webId,
      webSecret,
    );
    expect(exchanged.status).toBe(200);
    expect(((await exchanged.json()) as { scope: string }).scope).toBe('quiz');

    const wxLogin = await token({ grant_type: 'wxapp', code: 'ok-cli-openid' }, miniId, miniSecret);
    expect(wxLogin.status).toBe(200);
    expect(Object.fromEntries(wechat.calls.at(-1)!)).toMatchObject({
      appid: 'wx-cli-app',
      secret: WX_SECRET,
    });

    const listed = await sesame(['consents', 'list', 'alice']);
    expect(listed.stdout).toMatch(new RegExp(`^${webId}\\tquiz\\t`));
    const revoked = await sesame(['consents', 'revoke', '--', 'alice', webId]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`consent of alice to ${webId} revoked (1 session ended)\n`);
    const none = await sesame(['consents', 'revoke', '--', 'alice', webId]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('has no consent');
  });
});
