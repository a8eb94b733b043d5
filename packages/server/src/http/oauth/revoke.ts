import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import { oauthParameterRoutes } from '../typed-routes.js';
import { authenticateClient } from './client-auth.js';
import { normaliseOAuthBody, requireParameter } from './parameters.js';
import { CLIENT_AUTH_SECURITY, OAUTH_CONSUMES, oauthErrorResponses, TOKEN_REQUEST_BODY } from './schemas.js';
import { findToken } from './token-lookup.js';

/**
 * POST /oauth/revoke (RFC 7009). A refresh token revokes its whole family (the session, and so
 * the access tokens carrying its sid); an access token goes on the jti denylist until it expires.
 * §2.2: "invalid tokens do not cause an error response", so an unknown token is a 200 too.
 */
export async function revokeEndpoint(app: FastifyInstance): Promise<void> {
  oauthParameterRoutes(app).post(
    '/oauth/revoke',
    {
      preValidation: normaliseOAuthBody,
      schema: {
        tags: ['oauth'],
        summary: 'Revoke a token (RFC 7009)',
        consumes: OAUTH_CONSUMES,
        security: CLIENT_AUTH_SECURITY,
        body: TOKEN_REQUEST_BODY,
        response: { 200: { type: 'object', properties: {} }, ...oauthErrorResponses },
      },
    },
    async (request, reply) => {
      const params = request.body;
      const services = app.sesame;
      const { client } = await authenticateClient(request, params, services);
      const token = requireParameter(params, 'token');
      const found = await findToken(services, token, params.token_type_hint);
      // §2.1: the server "verifies whether the token was issued to the client making the
      // revocation request. If this validation fails, the request is refused".
      const notYours = () => new OAuthError('unauthorized_client', 'the token was not issued to this client');
      if (found.kind === 'refresh') {
        if (found.family.clientId !== client.clientId) throw notYours();
        if (await services.sessions.revokeFamily(found.family.id, 'revoked by client')) {
          await services.audit({
            type: 'revocation',
            actor: client.clientId,
            subject: found.family.id,
            clientId: client.clientId,
            ip: request.ip,
            details: { token_type: 'refresh_token' },
          });
        }
      } else if (found.kind === 'access' && found.claims.jti !== undefined) {
        const owner = found.claims.client_id;
        if (owner !== undefined && owner !== client.clientId) throw notYours();
        await services.revocations.revokeToken({ jti: found.claims.jti, exp: found.claims.exp });
        await services.audit({
          type: 'revocation',
          actor: client.clientId,
          subject: found.claims.jti,
          clientId: client.clientId,
          ip: request.ip,
          details: { token_type: 'access_token' },
        });
      }
      return reply.headers({ 'cache-control': 'no-store' }).send({});
    },
  );
}
