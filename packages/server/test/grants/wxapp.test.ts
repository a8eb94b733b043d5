/**
 * The WeChat mini-program grant against a local stand-in for jscode2session: first login creates
 * a user, the next finds it, unionid links apps, a code is spent before WeChat is asked, and each
 * WeChat error maps to its OAuth answer.
 */
import { Writable } from 'node:stream';
import { createTestApp, openTempStore, postForm, type TestApp, testClock } from '@sesame/testkit/app';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { WXAPP_GRANT_TYPE } from '../../src/grants/wxapp.js';
import { loggerOptions } from '../../src/logger.js';
import { type StandIn, startWechatStandIn } from '../helpers/wechat-stand-in.js';

const SECRET_ENV = 'WX_TEST_APP_SECRET';
const APP_SECRET = 'wechat-app-secret-4f9a1c';
let wechat: StandIn;
let t: TestApp;
let secret: string;

beforeAll(async () => {
  wechat = await startWechatStandIn();
  process.env[SECRET_ENV] = APP_SECRET;
});
afterAll(async () => {
  delete process.env[SECRET_ENV];
  await wechat.close();
});

async function addMiniProgram(
  target: TestApp,
  clientId: string,
  appid: string,
  grants = [WXAPP_GRANT_TYPE, 'refresh_token'],
) {
  const { clientSecret } = await target.services.clients.create(
    {
      name: `mini ${clientId}`,
      clientId,
      type: 'confidential',
      grantTypes: grants,
      scopes: ['openid', 'quiz', 'admin'],
    },
    'test',
  );
  const at = target.clock.now();
  await target.store.setWechatApp({
    clientId,
    appid,
    secretEnv: SECRET_ENV,
    createdAt: at,
    updatedAt: at,
  });
  return clientSecret!;
}

beforeEach(async () => {
  t = await createTestApp({ wechatApiBase: wechat.base, wechatTimeout: '300ms' });
  secret = await addMiniProgram(t, 'mini', 'wx-app-1');
  wechat.calls.length = 0;
});
afterEach(() => t.close());

function login(code: string, fields: Record<string, string> = {}) {
  return postForm(t.app, '/oauth/token', {
    grant_type: 'wxapp',
    client_id: 'mini',
    client_secret: secret,
    code,
    ...fields,
  });
}

describe('the wxapp grant', () => {
  it('creates a Sesame user on first login and finds it on the next; sub is Sesame’s id', async () => {
    const first = await login('ok-openid-1');
    expect(first.statusCode, first.body).toBe(200);
    const body = first.json();
    expect(Object.keys(body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(first.body).not.toContain('SESSION-KEY');
    expect(first.body).not.toContain('openid-1');
    expect(body.scope).toBe('openid quiz'); // never admin for a WeChat user
    const claims = t.services.accessTokens.verify(body.access_token);
    const user = await t.store.findUserById(claims.sub);
    expect(user?.username).toMatch(/^wx-/);

    const second = await login('ok-openid-1~again', { grant_type: WXAPP_GRANT_TYPE });
    expect(t.services.accessTokens.verify(second.json().access_token).sub).toBe(claims.sub);
    const other = await login('ok-openid-2');
    expect(t.services.accessTokens.verify(other.json().access_token).sub).not.toBe(claims.sub);

    // What WeChat was asked: the client's appid and secret, the code, grant_type=authorization_code.
    expect(Object.fromEntries(wechat.calls[0]!)).toEqual({
      appid: 'wx-app-1',
      secret: APP_SECRET,
      js_code: 'ok-openid-1',
      grant_type: 'authorization_code',
    });
    // ... and refresh works as for any login.
    const refreshed = await postForm(t.app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: 'mini',
      client_secret: secret,
    });
    expect(refreshed.statusCode).toBe(200);
    // A user made for WeChat has no password that works.
    const password = await t.services.users.passwordLogin({
      username: user!.username,
      password: '!wechat',
      clientId: 'mini',
      ip: '192.0.2.1',
    });
    expect(password.ok).toBe(false);
  });

  it('links two mini-programs of one Open Platform account through the unionid', async () => {
    const otherSecret = await addMiniProgram(t, 'mini-2', 'wx-app-2');
    const a = await login('union-oA-U1');
    const b = await postForm(t.app, '/oauth/token', {
      grant_type: 'wxapp',
      client_id: 'mini-2',
      client_secret: otherSecret,
      code: 'union-oB-U1',
    });
    expect(b.statusCode, b.body).toBe(200);
    expect(t.services.accessTokens.verify(b.json().access_token).sub).toBe(
      t.services.accessTokens.verify(a.json().access_token).sub,
    );
  });

  it('accepts a code once, even where WeChat would accept it twice: WeChat is asked once', async () => {
    expect((await login('ok-twice')).statusCode).toBe(200);
    const again = await login('ok-twice');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ error: 'invalid_grant', error_description: 'the code was already used' });
    expect(wechat.calls).toHaveLength(1);
  });

  it.each([
    ['invalid', 400, 'invalid_grant', undefined],
    ['used', 400, 'invalid_grant', undefined],
    ['risky', 400, 'invalid_grant', undefined],
    ['limited', 429, 'slow_down', '60'],
    ['busy', 503, 'temporarily_unavailable', '5'],
    ['slow', 503, 'temporarily_unavailable', '5'],
    ['garbage', 503, 'temporarily_unavailable', '5'],
    ['http500', 503, 'temporarily_unavailable', '5'],
    ['badsecret', 502, 'server_error', undefined],
  ])('WeChat answers %s: %i %s', async (code, status, error, retryAfter) => {
    const response = await login(code);
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toBe(error);
    expect(response.headers['retry-after']).toBe(retryAfter);
    expect(response.body).not.toContain(APP_SECRET);
  });

  it('answers 503 with Retry-After when WeChat cannot be reached', async () => {
    const closed = await createTestApp({ wechatApiBase: 'http://127.0.0.1:9', wechatTimeout: '300ms' });
    try {
      const closedSecret = await addMiniProgram(closed, 'mini', 'wx-app-1');
      const response = await postForm(closed.app, '/oauth/token', {
        grant_type: 'wxapp',
        client_id: 'mini',
        client_secret: closedSecret,
        code: 'ok-x',
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
    } finally {
      await closed.close();
    }
  });

  it('refuses before WeChat: no code, a malformed code, a bad scope, bad client credentials', async () => {
    expect((await login('')).json().error).toBe('invalid_request');
    expect((await login('has space')).json().error).toBe('invalid_grant');
    expect((await login('ok-s', { scope: 'payroll' })).json().error).toBe('invalid_scope');
    const wrongSecret = await postForm(t.app, '/oauth/token', {
      grant_type: 'wxapp',
      client_id: 'mini',
      client_secret: 'wrong',
      code: 'ok-c',
    });
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.json().error).toBe('invalid_client');
    expect(wechat.calls).toHaveLength(0);
  });

  it('refuses a client without the grant, and a client without a WeChat app', async () => {
    const noGrant = await addMiniProgram(t, 'no-grant', 'wx-x', ['refresh_token']);
    const refused = await postForm(t.app, '/oauth/token', {
      grant_type: 'wxapp',
      client_id: 'no-grant',
      client_secret: noGrant,
      code: 'ok-a',
    });
    expect(refused.json().error).toBe('unauthorized_client');
    await t.store.deleteWechatApp('mini');
    expect((await login('ok-b')).json()).toEqual({
      error: 'unauthorized_client',
      error_description: 'the client has no WeChat mini-program configured',
    });
    expect(wechat.calls).toHaveLength(0);
  });

  it('answers server_error when the AppSecret variable is missing, without naming the secret', async () => {
    delete process.env[SECRET_ENV];
    try {
      const response = await login('ok-c');
      expect(response.statusCode).toBe(500);
      expect(response.json().error).toBe('server_error');
    } finally {
      process.env[SECRET_ENV] = APP_SECRET;
    }
  });

  it('never logs the AppSecret, the code or the session_key, even at trace level', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const store = await openTempStore();
    const config = loadConfig({ values: { wechatApiBase: wechat.base, wechatTimeout: '300ms' } });
    const clock = testClock(Date.now());
    const app = await buildApp({
      config,
      store,
      now: clock.now,
      logger: { ...loggerOptions(config), level: 'trace', stream },
    });
    try {
      const { clientSecret } = await app.sesame.clients.create(
        {
          name: 'mini',
          clientId: 'mini',
          grantTypes: [WXAPP_GRANT_TYPE],
          scopes: ['openid'],
        },
        'test',
      );
      await store.setWechatApp({
        clientId: 'mini',
        appid: 'wx-app-1',
        secretEnv: SECRET_ENV,
        createdAt: 0,
        updatedAt: 0,
      });
      for (const code of ['ok-logged', 'badsecret', 'busy']) {
        await app.inject({
          method: 'POST',
          url: '/oauth/token',
          payload: new URLSearchParams({
            grant_type: 'wxapp',
            client_id: 'mini',
            client_secret: clientSecret!,
            code,
          }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
      }
      const log = lines.join('');
      expect(log).toContain('WeChat refused jscode2session');
      for (const secretText of [APP_SECRET, 'SESSION-KEY', 'ok-logged', clientSecret!]) {
        expect(log).not.toContain(secretText);
      }
    } finally {
      await app.close();
      await store.close();
    }
  });
});
