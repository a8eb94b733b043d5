import { OAuthError } from '../domain/errors.js';
import { issueTokens, mayRefresh, refreshBinding, requestedClaimsFor } from './issue.js';
import type { GrantModule } from './types.js';

const invalidGrant = (why: string) => new OAuthError('invalid_grant', why);

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5–4.6): the code is exchanged once, by the client it was
 * issued to, with the same redirect URI, and with the verifier of its challenge (the domain's
 * `codes.redeem`, which also revokes what a reused code minted). Then refresh as usual (a refresh
 * family when the client may refresh), and an ID token when `openid` was granted.
 */
export const authorizationCodeGrant: GrantModule = {
  grantType: 'authorization_code',
  description: 'Exchange an authorization code and its PKCE verifier for tokens (RFC 6749 §4.1.3, RFC 7636).',
  parameters: {
    code: { description: 'the code from the redirect', required: true, secret: true },
    redirect_uri: { description: 'the redirect_uri of the authorization request, when it had one' },
    // Not required here: the domain's redeem knows whether the code was issued with a challenge
    // (then the verifier is needed) or without one (then a verifier is refused, RFC 9700 §2.1.1).
    code_verifier: {
      description:
        'PKCE: the secret the code_challenge was made from; sent exactly when the authorization request had a code_challenge',
      secret: true,
    },
  },
  async handle({ client, params, services, request, dpop }) {
    // The key its ID token will be encrypted to is read before the code is spent: a jwks_uri that
    // cannot be read now is an error the client may retry with the same code, not a spent code.
    // It is handed to issueTokens, which would otherwise read it again.
    const idTokenEncryption = services.idTokens.enabled
      ? { encrypt: await services.responseEncryption.encrypterFor(client, 'id_token') }
      : undefined;
    const code = await services.codes.redeem({
      code: params.code!,
      clientId: client.clientId,
      redirectUri: params.redirect_uri,
      codeVerifier: params.code_verifier,
      ip: request.ip,
    });
    // RFC 9449 §10: a code asked for with dpop_jkt is exchanged only with a proof by that key. Checked
    // once the code is spent: a thief's try with another key burns it rather than leaving it to retry.
    if (code.dpopJkt !== null && dpop?.thumbprint !== code.dpopJkt) {
      throw invalidGrant('the code is bound to another DPoP key');
    }
    const user = await services.users.find({ id: code.userId });
    if (user === undefined || user.disabled) throw invalidGrant('the user cannot sign in');

    const scopes = code.scope.split(' ').filter(Boolean);
    const refresh = mayRefresh(client)
      ? await services.sessions.issue({
          userId: user.id,
          clientId: client.clientId,
          scope: code.scope,
          // Kept so the ID token of a refresh tells the same login time (OpenID Connect Core §12.2),
          // and so the family ends with the browser session it was born from (logout).
          authTime: code.authTime,
          browserSid: code.browserSid,
          // And the claims asked for by name, for the ID tokens and access tokens of refreshes.
          claims: code.claims,
          dpopJkt: refreshBinding(client, dpop),
        })
      : undefined;
    const { userinfoClaims, idTokenClaims } = requestedClaimsFor(code.claims, client, user);
    const { response, accessToken } = await issueTokens(services, {
      client,
      grantType: 'authorization_code',
      subject: user.id,
      username: user.username,
      scopes,
      refresh: refresh && { token: refresh.refreshToken, familyId: refresh.family.id },
      // OpenID Connect Core §3.1.3.3: an ID token when `openid` was granted, with the nonce.
      // Its `sid` is the browser session's, which logout tokens name (Back-Channel Logout §2.4).
      identity: {
        authTime: code.authTime,
        nonce: code.nonce ?? undefined,
        sid: code.browserSid ?? undefined,
        claims: idTokenClaims,
        idTokenEncryption,
      },
      userinfoClaims,
      dpop,
      ip: request.ip,
    });
    // What was minted is recorded so a later second use can revoke it; if that second use came
    // while the tokens were being made, they are revoked now and not handed out.
    await services.codes.recordMinted(
      params.code!,
      {
        familyId: refresh?.family.id ?? null,
        accessJti: accessToken.revocationId,
        accessExpiresAt: accessToken.expiresAt * 1000,
      },
      request.ip,
    );
    return response;
  },
};
