import { OAuthError } from '../domain/errors.js';
import { parseScope } from '../domain/scopes.js';
import type { User } from '../store/types.js';
import { issueTokenResponse, requestedClaimsFor } from './issue.js';
import type { GrantModule } from './types.js';

const invalidGrant = () => new OAuthError('invalid_grant', 'the refresh token is not valid');

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use returns a new refresh token; a rotated
 * token presented again revokes its family (the session), except within the grace window where
 * the immediately previous token gets the same successor again (two tabs refreshing at once).
 */
export const refreshTokenGrant: GrantModule = {
  grantType: 'refresh_token',
  description: 'Exchange a refresh token for a new access token and a new refresh token (RFC 6749 §6).',
  parameters: {
    refresh_token: { description: 'the refresh token', required: true, secret: true },
    scope: { description: 'narrower scopes than those originally granted (optional)' },
  },
  async handle({ client, params, services, request, dpop }) {
    const presented = params.refresh_token!;
    // §6: the token is bound to the client it was issued to; check before rotating, so another
    // client cannot burn it.
    // The family with its user, in one read (the user is checked below, before rotating too).
    const session = await services.sessions.sessionOf(presented);
    const family = session?.family;
    if (family === undefined || family.clientId !== client.clientId) throw invalidGrant();
    // RFC 9449 §5: a refresh token bound to a key is used only with a proof by that key (checked
    // before rotating, so a thief without the key cannot burn it).
    if (family.dpopJkt !== null && dpop?.thumbprint !== family.dpopJkt) {
      throw new OAuthError('invalid_grant', 'the refresh token is bound to another DPoP key');
    }
    const granted = family.scope.split(' ').filter(Boolean);
    const requested = parseScope(params.scope);
    // §6: "MUST NOT include any scope not originally granted by the resource owner".
    if (requested?.some((scope) => !granted.includes(scope))) {
      throw new OAuthError('invalid_scope', 'the scope exceeds the scope originally granted');
    }
    let user: User | undefined;
    if (family.userId !== null) {
      user = session?.user;
      if (user === undefined || user.disabled) {
        await services.sessions.revokeFamily(family.id, 'user disabled');
        throw invalidGrant();
      }
    }
    const username = user?.username;
    const userScopes = user?.scopes;
    // At most what the user and the client may be granted today: a scope taken away from either
    // since the login is not refreshed back (§3.3 lets the server grant less; `scope` says so).
    const scopes = (requested ?? granted).filter(
      (scope) => client.scopes.includes(scope) && (userScopes === undefined || userScopes.includes(scope)),
    );
    // The key a new ID token will be encrypted to is read before rotating: a jwks_uri that cannot
    // be read now must not cost the client its refresh token (the old one would then be reuse).
    // It is handed to issueTokenResponse, which would otherwise read it again.
    const idTokenEncryption =
      services.idTokens.enabled && family.authTime !== null
        ? { encrypt: await services.responseEncryption.encrypterFor(client, 'id_token') }
        : undefined;
    const outcome = await services.sessions.rotate(presented);
    if (outcome.kind === 'reused') {
      await services.audit({
        type: 'refresh.reuse',
        actor: family.userId,
        subject: family.id,
        clientId: client.clientId,
        ip: request.ip,
        details: {},
      });
      throw invalidGrant();
    }
    if (!outcome.ok) throw invalidGrant();
    // OpenID Connect Core §5.5: the claims the login's request asked for by name, kept on the family.
    const asked = user === undefined ? undefined : requestedClaimsFor(family.claims, client, user);
    return issueTokenResponse(services, {
      client,
      grantType: 'refresh_token',
      subject: family.userId ?? client.clientId,
      username,
      scopes,
      refresh: { token: outcome.refreshToken, familyId: outcome.family.id },
      // OpenID Connect Core §12.2: a session begun by the code flow's login gets a new ID token
      // (when `openid` is still among the scopes), with the same auth_time and no nonce. Sessions
      // of other grants have no auth_time and get none: they never had an ID token.
      identity:
        family.userId !== null && family.authTime !== null
          ? {
              authTime: family.authTime,
              sid: family.browserSid ?? undefined,
              claims: asked?.idTokenClaims,
              idTokenEncryption,
            }
          : undefined,
      userinfoClaims: asked?.userinfoClaims,
      dpop,
      ip: request.ip,
    });
  },
};
