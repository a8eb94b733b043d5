import { hashCode } from '../domain/authorization/codes.js';
import { verifyS256 } from '../domain/authorization/pkce.js';
import { OAuthError } from '../domain/errors.js';
import type { Services } from '../domain/services.js';
import type { AuthorizationCode } from '../store/types.js';
import { issueTokenResponse, mayRefresh } from './issue.js';
import type { GrantModule } from './types.js';

const invalidGrant = (why: string) => new OAuthError('invalid_grant', why);

/**
 * RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server MUST
 * deny the request and SHOULD revoke (when possible) all tokens previously issued based on that
 * authorization code." The refresh family goes (and with it every access token of its `sid`), and
 * the access token's jti is denied until it expires.
 */
async function revokeMinted(services: Services, code: AuthorizationCode, ip: string): Promise<void> {
  if (code.familyId !== null)
    await services.sessions.revokeFamily(code.familyId, 'authorization code reused');
  if (code.accessJti !== null && code.accessExpiresAt !== null) {
    await services.revocations.revokeToken({
      jti: code.accessJti,
      exp: Math.ceil(code.accessExpiresAt / 1000),
    });
  }
  await services.audit({
    type: 'code.reuse',
    actor: code.userId,
    subject: code.familyId,
    clientId: code.clientId,
    ip,
    details: {},
  });
}

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5–4.6): the code is exchanged once, by the client it was
 * issued to, with the same redirect URI, and with the verifier of its challenge. Then refresh as
 * usual (a refresh family when the client may refresh).
 */
export const authorizationCodeGrant: GrantModule = {
  grantType: 'authorization_code',
  description: 'Exchange an authorization code and its PKCE verifier for tokens (RFC 6749 §4.1.3, RFC 7636).',
  parameters: {
    code: { description: 'the code from the redirect', required: true, secret: true },
    redirect_uri: { description: 'the redirect_uri of the authorization request, when it had one' },
    code_verifier: {
      description: 'PKCE: the secret the code_challenge was made from',
      required: true,
      secret: true,
    },
  },
  async handle({ client, params, services, request }) {
    const codeHash = hashCode(params.code!);
    const code = await services.store.findAuthorizationCode(codeHash);
    if (code === undefined) throw invalidGrant('the code is not valid');
    if (code.usedAt !== null) {
      const again = await services.store.redeemAuthorizationCode(codeHash, services.now());
      if (again.kind !== 'unknown') await revokeMinted(services, again.code, request.ip);
      throw invalidGrant('the code was already used');
    }
    // Checked before the code is spent, so another client or a wrong verifier cannot burn it.
    if (code.clientId !== client.clientId) throw invalidGrant('the code was issued to another client');
    if (code.expiresAt <= services.now()) throw invalidGrant('the code has expired');
    // §4.1.3: "redirect_uri: REQUIRED, if ... included in the authorization request ... and their
    // values MUST be identical."
    const redirectUri = params.redirect_uri;
    if (
      code.redirectUriGiven
        ? redirectUri !== code.redirectUri
        : redirectUri !== undefined && redirectUri !== code.redirectUri
    ) {
      throw invalidGrant('the redirect_uri does not match the authorization request');
    }
    if (!verifyS256(params.code_verifier!, code.codeChallenge)) {
      throw invalidGrant('the code_verifier does not match the code_challenge');
    }
    const redeemed = await services.store.redeemAuthorizationCode(codeHash, services.now());
    if (redeemed.kind !== 'redeemed') {
      // Lost a race with another use of the same code: that is a reuse too.
      if (redeemed.kind === 'reused') await revokeMinted(services, redeemed.code, request.ip);
      throw invalidGrant('the code was already used');
    }
    const user = await services.store.findUserById(code.userId);
    if (user === undefined || user.disabled) throw invalidGrant('the user cannot sign in');

    const scopes = code.scope.split(' ').filter(Boolean);
    const refresh = mayRefresh(client)
      ? await services.sessions.issue({ userId: user.id, clientId: client.clientId, scope: code.scope })
      : undefined;
    const response = await issueTokenResponse(services, {
      client,
      grantType: 'authorization_code',
      subject: user.id,
      username: user.username,
      scopes,
      refresh: refresh && { token: refresh.refreshToken, familyId: refresh.family.id },
      ip: request.ip,
    });
    // What was minted is recorded so a later second use can revoke it; if that second use came
    // while the tokens were being made, they are revoked now and not handed out.
    const claims = services.accessTokens.verify(response.access_token);
    const after = await services.store.recordCodeTokens(codeHash, {
      familyId: refresh?.family.id ?? null,
      accessJti: claims.jti ?? null,
      accessExpiresAt: claims.exp * 1000,
    });
    if (after?.reusedAt != null) {
      await revokeMinted(services, after, request.ip);
      throw invalidGrant('the code was already used');
    }
    return response;
  },
};
