import type { ThrottleKeys } from '../domain/accounts/throttle.js';
import { auditThrottledLogin } from '../domain/accounts/throttle-audit.js';
import { OAuthError } from '../domain/errors.js';
import { grantScopes, parseScope } from '../domain/scopes.js';
import type { Services } from '../domain/services.js';
import { issueTokenResponse, mayRefresh } from './issue.js';
import type { GrantModule } from './types.js';

/**
 * Refuses the attempt with 429 and Retry-After while a back-off applies to it (accounts/throttle.ts),
 * and counts the refusal for the audit trail (aggregated: accounts/throttle-audit.ts).
 */
export async function checkLoginThrottle(
  services: Services,
  keys: ThrottleKeys,
  clientId: string,
): Promise<void> {
  const gate = await services.throttle.check(keys);
  if (!gate.allowed) {
    const retryAfterSeconds = Math.max(1, gate.retryAfterSeconds);
    await auditThrottledLogin(services, { keys, clientId, retryAfterSeconds });
    throw new OAuthError('slow_down', 'too many failed logins; retry later', {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

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
  async handle({ client, params, services, request }) {
    const username = params.username!;
    const keys: ThrottleKeys = { username, ip: request.ip };
    await checkLoginThrottle(services, keys, client.clientId);
    const result = await services.users.authenticate(username, params.password!);
    if (!result.ok) {
      await services.throttle.recordFailure(keys);
      await services.audit({
        type: 'login.failed',
        subject: result.userId,
        clientId: client.clientId,
        ip: request.ip,
        details: { reason: result.reason },
      });
      throw new OAuthError('invalid_grant', 'the username or the password is wrong');
    }
    const { user } = result;
    // Clears the username's counter and the address's record of failing on it; the address's own
    // count stays, so one good account cannot reset it.
    await services.throttle.recordSuccess(keys);
    await services.audit({
      type: 'login.ok',
      actor: user.id,
      subject: user.id,
      clientId: client.clientId,
      ip: request.ip,
      details: { rehashed: result.rehashed },
    });

    const allowed = user.scopes.filter((scope) => client.scopes.includes(scope));
    const scopes = grantScopes(parseScope(params.scope), allowed);
    const refresh = mayRefresh(client)
      ? await services.sessions.issue({ userId: user.id, clientId: client.clientId, scope: scopes.join(' ') })
      : undefined;
    return issueTokenResponse(services, {
      client,
      grantType: 'password',
      subject: user.id,
      username: user.username,
      scopes,
      refresh: refresh && { token: refresh.refreshToken, familyId: refresh.family.id },
      ip: request.ip,
    });
  },
};
