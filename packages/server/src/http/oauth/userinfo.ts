import type { FastifyInstance } from 'fastify';
import { typedRoutes } from '../typed-routes.js';
import { bearerError, requireBearer } from './bearer.js';
import { bearerSecurity, oauthErrorSchema } from './schemas.js';

const userinfoSchema = {
  type: 'object',
  properties: {
    sub: { type: 'string' },
    username: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
  },
  required: ['sub', 'scopes'],
} as const;

/**
 * GET /userinfo: the account behind a user's access token (sub, username, scopes). Errors per
 * RFC 6750 §3 with WWW-Authenticate. A client_credentials token has no user: invalid_token.
 */
export async function userinfoRoutes(app: FastifyInstance): Promise<void> {
  typedRoutes(app).get(
    '/userinfo',
    {
      preHandler: requireBearer(),
      schema: {
        tags: ['account'],
        summary: 'The logged-in account',
        security: bearerSecurity(),
        response: {
          200: userinfoSchema,
          400: oauthErrorSchema,
          401: oauthErrorSchema,
          403: oauthErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const claims = request.tokenClaims!;
      const user =
        claims.username === undefined ? undefined : await app.sesame.users.find({ id: claims.sub });
      if (user === undefined)
        throw bearerError('invalid_token', 'the access token does not belong to a user');
      reply.header('cache-control', 'no-store');
      return { sub: user.id, username: user.username, scopes: claims.scopes };
    },
  );
}
