import type { Services } from '../domain/services.js';
import type { Client } from '../store/types.js';
import type { TokenResponse } from './types.js';

/** The audience of a client's access tokens: its own list, or the server default. */
export function audienceFor(client: Client, services: Pick<Services, 'config'>): string | string[] {
  if (client.audience.length === 0) return services.config.audience;
  return client.audience.length === 1 ? client.audience[0]! : [...client.audience];
}

/**
 * Signs the access token and writes the RFC 6749 §5.1 response, with the refresh token when the
 * grant made or rotated one. Records `token.issued` in the audit trail (never the tokens).
 *
 * @example return issueTokenResponse(context.services, { client, subject: user.id, username, scopes, refresh });
 */
export async function issueTokenResponse(
  services: Services,
  input: {
    client: Client;
    grantType: string;
    subject: string;
    username?: string;
    scopes: readonly string[];
    refresh?: { token: string; familyId: string };
    ip?: string;
  },
): Promise<TokenResponse> {
  const issued = services.accessTokens.issue({
    subject: input.subject,
    clientId: input.client.clientId,
    scopes: input.scopes,
    username: input.username,
    sessionId: input.refresh?.familyId,
    audience: audienceFor(input.client, services),
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
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    scope: input.scopes.join(' '),
  };
  if (input.refresh) response.refresh_token = input.refresh.token;
  return response;
}

/** True when the client is allowed to hold refresh tokens. */
export function mayRefresh(client: Client): boolean {
  return client.grantTypes.includes('refresh_token');
}
