import type { DpopProof } from '@sesame/protocol';
import { claimsByName, releasableClaims } from '../domain/accounts/claims.js';
import type { ResponseEncrypter } from '../domain/clients/response-encryption.js';
import type { Services } from '../domain/services.js';
import type { IssuedAccessToken } from '../domain/tokens/access-token.js';
import type { Client, RequestedClaims, User } from '../store/types.js';
import type { TokenResponse } from './types.js';

/** The audience of a client's access tokens: its own list, or the server default. */
export function audienceFor(client: Client, services: Pick<Services, 'config'>): string | string[] {
  if (client.audience.length === 0) return services.config.audience;
  return client.audience.length === 1 ? client.audience[0]! : [...client.audience];
}

/**
 * The user's login behind a response, from a grant that may give ID tokens (the code flow and the
 * refresh of its sessions): OpenID Connect Core §3.1.3.3 and §12.2.
 */
export interface Identity {
  /** Epoch ms of the password login (`auth_time`), when known. */
  authTime: number | null;
  /** The authorization request's nonce; never given on refresh. */
  nonce?: string;
  /**
   * The public id of the browser session the login happened in (the ID token's `sid`), when it
   * has one. Not the refresh family: that is the access token's `sid`.
   */
  sid?: string;
  /** Claims asked for by name for the ID token (Core §5.5), with the user's values. */
  claims?: Record<string, unknown>;
  /**
   * The ID token's encryption as the grant already resolved it (`responseEncryption.encrypterFor`,
   * read before its code was spent or its refresh token rotated): `encrypt` undefined for a client
   * that takes its ID tokens in the clear. Absent: resolved here. Handing it over saves resolving
   * it twice per token request (bench:id-token).
   */
  idTokenEncryption?: { encrypt: ResponseEncrypter | undefined };
}

/**
 * The claims an authorization request asked for by name (Core §5.5), as a token response carries
 * them today: those whose scope the client may have and the user holds (a scope taken away since
 * goes with its claims), the ID token's with the user's values, /userinfo's as names for the
 * access token.
 *
 * @example const { userinfoClaims, idTokenClaims } = requestedClaimsFor(code.claims, client, user);
 */
export function requestedClaimsFor(
  requested: RequestedClaims | null,
  client: Client,
  user: User,
): { userinfoClaims: string[]; idTokenClaims: Record<string, unknown> } {
  const scopes = client.scopes.filter((scope) => user.scopes.includes(scope));
  const { userinfo, idToken } = releasableClaims(requested, scopes);
  return { userinfoClaims: userinfo, idTokenClaims: claimsByName(user, idToken) };
}

/**
 * Signs the access token and writes the RFC 6749 §5.1 response, with the refresh token when the
 * grant made or rotated one, and an ID token when the grant gives an `identity`, `openid` is among
 * the scopes and the server signs with a published key (encrypted to the client when it asks). Records `token.issued` in the audit trail
 * (never the tokens).
 *
 * @example return issueTokenResponse(context.services, { client, subject: user.id, username, scopes, refresh });
 */
export async function issueTokenResponse(services: Services, input: TokenInput): Promise<TokenResponse> {
  return (await issueTokens(services, input)).response;
}

/** What a grant hands to `issueTokenResponse`. */
export interface TokenInput {
  client: Client;
  grantType: string;
  subject: string;
  username?: string;
  scopes: readonly string[];
  refresh?: { token: string; familyId: string };
  identity?: Identity;
  /** Claims asked for by name for /userinfo (Core §5.5): carried by the access token. */
  userinfoClaims?: readonly string[];
  /** The request's DPoP proof: the access token is bound to its key (`cnf.jkt`, RFC 9449 §6.1). */
  dpop?: DpopProof;
  ip?: string;
}

/**
 * `issueTokenResponse`, also handing back the access token as issued (its jti and expiry), for a
 * grant that records what it minted (the code exchange) without verifying its own token again.
 *
 * @example const { response, accessToken } = await issueTokens(services, input);
 */
export async function issueTokens(
  services: Services,
  input: TokenInput,
): Promise<{ response: TokenResponse; accessToken: IssuedAccessToken }> {
  const { identity } = input;
  const idToken = identity !== undefined && input.scopes.includes('openid') && services.idTokens.enabled;
  // Before anything is issued: a client whose ID tokens cannot be encrypted as it asked gets an
  // error, never an ID token in the clear (Registration §2).
  const encryptIdToken = !idToken
    ? undefined
    : identity.idTokenEncryption !== undefined
      ? identity.idTokenEncryption.encrypt
      : await services.responseEncryption.encrypterFor(input.client, 'id_token');
  const issued = services.accessTokens.issue({
    subject: input.subject,
    clientId: input.client.clientId,
    scopes: input.scopes,
    username: input.username,
    sessionId: input.refresh?.familyId,
    audience: audienceFor(input.client, services),
    userinfoClaims: input.userinfoClaims,
    dpopJkt: input.dpop?.thumbprint,
  });
  await services.audit({
    type: 'token.issued',
    actor: input.subject,
    subject: input.refresh?.familyId ?? null,
    clientId: input.client.clientId,
    ip: input.ip ?? null,
    details: { grant_type: input.grantType, scope: input.scopes.join(' '), jti: issued.jti ?? null },
  });
  const response: TokenResponse = {
    access_token: issued.token,
    token_type: input.dpop === undefined ? 'Bearer' : 'DPoP',
    expires_in: issued.expiresIn,
    scope: input.scopes.join(' '),
  };
  if (input.refresh) response.refresh_token = input.refresh.token;
  if (idToken && identity !== undefined) {
    const signed = services.idTokens.issue({
      subject: input.subject,
      clientId: input.client.clientId,
      accessToken: issued.token,
      authTime: identity.authTime,
      nonce: identity.nonce,
      sessionId: identity.sid,
      claims: identity.claims,
      algorithm: input.client.idTokenSignedResponseAlg,
    });
    // Core §10.2: signed, then encrypted (a nested JWT).
    response.id_token = encryptIdToken === undefined ? signed : encryptIdToken(signed);
  }
  return { response, accessToken: issued };
}

/**
 * The key a new refresh family is bound to (RFC 9449 §5): a public client's proof key, since its
 * refresh token is its only credential; a confidential client's refresh tokens already need its
 * authentication, so they stay unbound (§5 leaves them to the server).
 *
 * @example await services.sessions.issue({ userId, clientId, scope, dpopJkt: refreshBinding(client, dpop) });
 */
export function refreshBinding(client: Client, dpop: DpopProof | undefined): string | undefined {
  return client.type === 'public' ? dpop?.thumbprint : undefined;
}

/** True when the client is allowed to hold refresh tokens. */
export function mayRefresh(client: Client): boolean {
  return client.grantTypes.includes('refresh_token');
}
