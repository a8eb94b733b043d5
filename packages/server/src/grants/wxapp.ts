import { OAuthError } from '../domain/errors.js';
import { grantScopes, parseScope } from '../domain/scopes.js';
import { code2Session } from '../domain/wechat/jscode2session.js';
import { WXAPP_GRANT_TYPE } from '../domain/wechat/wechat-steps.js';
import { issueTokenResponse, mayRefresh, refreshBinding } from './issue.js';
import type { GrantModule } from './types.js';

export { WXAPP_GRANT_TYPE };

/** 45011 is WeChat's per-user frequency limit: a minute is its window. */
const RATE_LIMITED_RETRY_S = 60;
const UNAVAILABLE_RETRY_S = 5;
/** A wx.login() code: printable ASCII, no spaces; anything else is refused before WeChat sees it. */
const CODE = /^[\x21-\x7e]{1,256}$/;

/**
 * WeChat mini-program login (an RFC 6749 §4.5 extension grant): the client — authenticated as for
 * any grant — sends the `code` of `wx.login()`; the server exchanges it at WeChat's jscode2session
 * with the client's appid and AppSecret, links the openid (and unionid) to a Sesame user, created on
 * first login, and issues Sesame's tokens for that user. `sub` is always Sesame's user id; the
 * session_key is dropped.
 */
export const wxappGrant: GrantModule = {
  grantType: WXAPP_GRANT_TYPE,
  aliases: ['wxapp'],
  description: 'A WeChat mini-program logs its user in with the code of wx.login().',
  parameters: {
    code: { description: 'the code of wx.login() (single use)', required: true, secret: true },
    scope: { description: 'space-separated scopes; default: every scope the user and the client share' },
  },
  async handle({ client, params, services, request, dpop }) {
    const app = await services.wechat.app(client.clientId);
    if (app === undefined) {
      throw new OAuthError('unauthorized_client', 'the client has no WeChat mini-program configured');
    }
    const code = params.code!;
    if (!CODE.test(code)) throw new OAuthError('invalid_grant', 'the code is not valid');
    const requested = parseScope(params.scope);
    grantScopes(requested, client.scopes); // a scope the client may never have: refused before WeChat
    const secret = process.env[app.secretEnv];
    if (!secret) {
      request.log.error({ variable: app.secretEnv }, 'the WeChat AppSecret variable is not set');
      throw new OAuthError('server_error', 'the WeChat login is not configured on this server');
    }
    if (!(await services.wechat.spendCode(app.appid, code))) {
      throw new OAuthError('invalid_grant', 'the code was already used');
    }

    const answer = await code2Session({
      baseUrl: services.config.wechatApiBase,
      appid: app.appid,
      secret,
      code,
      timeoutMs: services.config.wechatTimeout,
    });
    if (!answer.ok) {
      switch (answer.reason) {
        case 'invalid_code':
          throw new OAuthError('invalid_grant', 'WeChat did not accept the code');
        case 'blocked':
          throw new OAuthError('invalid_grant', 'WeChat refused this user (40226)');
        case 'rate_limited':
          throw new OAuthError('slow_down', 'WeChat limits how often this user may log in', {
            status: 429,
            headers: { 'retry-after': String(RATE_LIMITED_RETRY_S) },
          });
        case 'busy':
        case 'unavailable':
          throw new OAuthError('temporarily_unavailable', 'WeChat did not answer; retry later', {
            status: 503,
            headers: { 'retry-after': String(UNAVAILABLE_RETRY_S) },
          });
        default:
          request.log.error({ errcode: answer.errcode, appid: app.appid }, 'WeChat refused jscode2session');
          throw new OAuthError('server_error', 'WeChat refused the exchange', { status: 502 });
      }
    }

    const user = await services.wechat.login({
      client,
      appid: app.appid,
      openid: answer.openid,
      unionid: answer.unionid,
      ip: request.ip,
    });
    if (user === undefined) throw new OAuthError('invalid_grant', 'the user cannot sign in');

    const allowed = user.scopes.filter((scope) => client.scopes.includes(scope));
    const scopes = grantScopes(requested, allowed);
    const refresh = mayRefresh(client)
      ? await services.sessions.issue({
          userId: user.id,
          clientId: client.clientId,
          scope: scopes.join(' '),
          dpopJkt: refreshBinding(client, dpop),
        })
      : undefined;
    return issueTokenResponse(services, {
      client,
      grantType: WXAPP_GRANT_TYPE,
      subject: user.id,
      username: user.username,
      scopes,
      refresh: refresh && { token: refresh.refreshToken, familyId: refresh.family.id },
      dpop,
      ip: request.ip,
    });
  },
};
