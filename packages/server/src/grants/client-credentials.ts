import { OAuthError } from '../domain/errors.js';
import { grantScopes, parseScope } from '../domain/scopes.js';
import { issueTokenResponse } from './issue.js';
import type { GrantModule } from './types.js';

/**
 * RFC 6749 §4.4: a confidential client gets a token for itself; `sub` is the client id. §4.4.3:
 * "A refresh token SHOULD NOT be included", so none is.
 */
export const clientCredentialsGrant: GrantModule = {
  grantType: 'client_credentials',
  description: 'A confidential client gets a token for itself (RFC 6749 §4.4).',
  parameters: {
    scope: { description: 'space-separated scopes; default: every scope the client is allowed' },
  },
  async handle({ client, params, services, request, dpop }) {
    // §4.4: "The client credentials grant type MUST only be used by confidential clients."
    if (client.type !== 'confidential') {
      throw new OAuthError('unauthorized_client', 'a public client cannot use client_credentials');
    }
    const scopes = grantScopes(parseScope(params.scope), client.scopes);
    return issueTokenResponse(services, {
      client,
      grantType: 'client_credentials',
      subject: client.clientId,
      scopes,
      dpop,
      ip: request.ip,
    });
  },
};
