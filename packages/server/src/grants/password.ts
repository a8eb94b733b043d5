import { OAuthError } from '../domain/errors.js';
import { grantScopes, parseScope } from '../domain/scopes.js';
import { issueTokenResponse, mayRefresh, refreshBinding } from './issue.js';
import type { GrantModule } from './types.js';

/**
 * RFC 6749 §4.3, the login of a first-party app. An unknown user, a disabled one and a wrong
 * password give the same invalid_grant, and take the same time (the user service verifies a dummy
 * hash when the user does not exist).
 */
export const passwordGrant: GrantModule = {
  grantType: 'password',
  description: 'A first-party app logs a user in with username and password (RFC 6749 §4.3).',
  parameters: {
    username: { description: 'the username', required: true },
    password: { description: 'the password', required: true, secret: true },
    scope: { description: 'space-separated scopes; default: every scope the user and the client share' },
  },
  async handle({ client, params, services, request, dpop }) {
    const outcome = await services.users.passwordLogin({
      username: params.username!,
      password: params.password!,
      clientId: client.clientId,
      ip: request.ip,
    });
    if (!outcome.ok && outcome.reason === 'throttled') {
      throw new OAuthError('slow_down', 'too many failed logins; retry later', {
        status: 429,
        headers: { 'retry-after': String(outcome.retryAfterSeconds) },
      });
    }
    if (!outcome.ok) throw new OAuthError('invalid_grant', 'the username or the password is wrong');
    const { user } = outcome;

    const allowed = user.scopes.filter((scope) => client.scopes.includes(scope));
    const scopes = grantScopes(parseScope(params.scope), allowed);
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
      grantType: 'password',
      subject: user.id,
      username: user.username,
      scopes,
      refresh: refresh && { token: refresh.refreshToken, familyId: refresh.family.id },
      dpop,
      ip: request.ip,
    });
  },
};
