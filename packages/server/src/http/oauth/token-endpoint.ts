import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import type { GrantRegistry } from '../../grants/index.js';
import { oauthParameterRoutes } from '../typed-routes.js';
import { authenticateClient } from './client-auth.js';
import { tokenRequestProof } from './dpop.js';
import { normaliseOAuthBody } from './parameters.js';
import {
  CLIENT_ASSERTION_DESCRIPTION,
  CLIENT_ASSERTION_TYPE_DESCRIPTION,
  CLIENT_AUTH_SECURITY,
  OAUTH_CONSUMES,
  oauthErrorResponses,
  tokenResponseSchema,
} from './schemas.js';

/**
 * POST /oauth/token (RFC 6749 §3.2): authenticate the client, check the client may use the
 * grant, check the grant's parameters, dispatch to the grant module.
 */
export async function tokenEndpoint(app: FastifyInstance, options: { grants: GrantRegistry }): Promise<void> {
  const { grants } = options;
  const properties: Record<
    string,
    { type: 'string'; description: string; format?: 'password'; examples?: string[] }
  > = {
    grant_type: {
      type: 'string',
      description: `one of: ${grants.grantTypes.join(', ')}`,
      examples: grants.grantTypes.slice(0, 1),
    },
    client_id: { type: 'string', description: 'client_secret_post, or a public client' },
    client_secret: { type: 'string', format: 'password', description: 'client_secret_post' },
    client_assertion_type: { type: 'string', description: CLIENT_ASSERTION_TYPE_DESCRIPTION },
    client_assertion: { type: 'string', format: 'password', description: CLIENT_ASSERTION_DESCRIPTION },
  };
  for (const [name, parameter] of Object.entries(grants.parameters)) {
    properties[name] = {
      type: 'string',
      description: parameter.description,
      ...(parameter.secret ? { format: 'password' as const } : {}),
    };
  }

  oauthParameterRoutes(app).post(
    '/oauth/token',
    {
      preValidation: normaliseOAuthBody,
      schema: {
        tags: ['oauth'],
        summary: 'Get tokens',
        description: `Grants: ${grants.grants.map((grant) => `\`${grant.grantType}\` — ${grant.description}`).join(' ')}`,
        consumes: OAUTH_CONSUMES,
        security: CLIENT_AUTH_SECURITY,
        body: { type: 'object', required: ['grant_type'], properties } as const,
        response: { 200: tokenResponseSchema, ...oauthErrorResponses },
      },
    },
    async (request, reply) => {
      const params = request.body;
      const services = app.sesame;
      const { client } = await authenticateClient(request, params, services);
      const grantType = params.grant_type;
      const grant = grants.find(grantType);
      if (grant === undefined) {
        throw new OAuthError('unsupported_grant_type', 'the grant type is not supported');
      }
      // RFC 6749 §5.2 unauthorized_client: "not authorized to use this authorization grant type".
      const allowed = [grant.grantType, ...(grant.aliases ?? [])].some((name) =>
        client.grantTypes.includes(name),
      );
      if (!allowed) throw new OAuthError('unauthorized_client', 'the client may not use this grant type');
      for (const [name, parameter] of Object.entries(grant.parameters)) {
        if (parameter.required && params[name] === undefined) {
          throw new OAuthError('invalid_request', `the ${name} parameter is missing`);
        }
      }
      // RFC 9449 §5: a proof binds the access token to its key, whatever the grant.
      const dpop = await tokenRequestProof(request, client, services);
      const response = await grant.handle({ client, params, services, request, dpop });
      // RFC 9449 §8.2: a fresh nonce with every answer, so a client never waits for a refusal to learn it.
      if (services.dpop.requiresNonce && services.dpop.enabled)
        reply.header('dpop-nonce', await services.dpop.nonce());
      // RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on responses with tokens.
      return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(response);
    },
  );
}
