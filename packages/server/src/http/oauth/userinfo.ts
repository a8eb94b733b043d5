import { type AccessTokenCredentials, ProtocolError, parseBearer } from '@sesame/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { claimsByName, claimsForScopes } from '../../domain/accounts/claims.js';
import { typedRoutes } from '../typed-routes.js';
import { bearerError, readBearerToken, requireBearerFrom } from './bearer.js';
import { bearerSecurity, oauthErrorSchema, profileClaimsProperties } from './schemas.js';
import { JWT_CONTENT_TYPE, userinfoJwt } from './userinfo-jwt.js';

/** Core §5.3.2: sub and the released claims; `username` and `scopes` as before OpenID Connect. */
const userinfoSchema = {
  type: 'object',
  properties: {
    sub: { type: 'string' },
    username: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    ...profileClaimsProperties,
  },
  required: ['sub', 'scopes'],
} as const;

const FORM = 'application/x-www-form-urlencoded';

/**
 * The token of a /userinfo request: the Authorization header (RFC 6750 §2.1), or for POST a form
 * body field `access_token` (§2.2). Two places at once is invalid_request (§3.1), and the query
 * (§2.3) is refused as on every route.
 */
function readUserinfoToken(request: FastifyRequest): AccessTokenCredentials {
  const contentType = request.headers['content-type'] ?? '';
  const body = request.body as Record<string, unknown> | undefined;
  const inBody =
    request.method === 'POST' &&
    contentType.toLowerCase().startsWith(FORM) &&
    body !== undefined &&
    body !== null &&
    Object.hasOwn(body, 'access_token');
  if (!inBody) return readBearerToken(request);
  const query = request.query as Record<string, unknown> | undefined;
  if (request.headers.authorization !== undefined || (query && Object.hasOwn(query, 'access_token')))
    throw bearerError('invalid_request', 'send the access token in one place only');
  const token = body.access_token;
  if (typeof token !== 'string') throw bearerError('invalid_request', 'send one access_token');
  try {
    // The same b64token grammar as the header, so both places accept the same strings.
    return { scheme: 'Bearer', token: parseBearer(`Bearer ${token}`) };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw bearerError('invalid_request', 'the access_token is malformed');
  }
}

/**
 * GET and POST /userinfo (OpenID Connect Core §5.3): `sub`, the claims the token's scopes release
 * (§5.4, domain/accounts/claims.ts), and, as before OpenID Connect, `username` and `scopes`.
 * Errors per RFC 6750 §3 with WWW-Authenticate. A client_credentials token has no user: invalid_token.
 */
export async function userinfoRoutes(app: FastifyInstance): Promise<void> {
  for (const method of ['GET', 'POST'] as const) {
    typedRoutes(app).route({
      method,
      url: '/userinfo',
      preHandler: requireBearerFrom(readUserinfoToken),
      schema: {
        tags: ['account'],
        summary:
          method === 'GET'
            ? 'The logged-in account and its claims'
            : 'The same, the token in the header or in a form field access_token',
        security: bearerSecurity(),
        response: {
          200: {
            description: 'JSON, or application/jwt for a client that registered a signed or encrypted answer',
            content: {
              'application/json': { schema: userinfoSchema },
              [JWT_CONTENT_TYPE]: { schema: { type: 'string' } },
            },
          },
          400: oauthErrorSchema,
          401: oauthErrorSchema,
          403: oauthErrorSchema,
        },
      },
      handler: async (request, reply) => {
        const claims = request.tokenClaims!;
        const user =
          claims.username === undefined ? undefined : await app.sesame.users.find({ id: claims.sub });
        if (user === undefined)
          throw bearerError('invalid_token', 'the access token does not belong to a user');
        reply.header('cache-control', 'no-store');
        // Core §5.5: the claims the authorization request asked for by name, which the access
        // token lists (access-token.ts), besides those its scopes release.
        const byName = claims.raw.userinfo_claims;
        const names = Array.isArray(byName) ? byName.filter((name) => typeof name === 'string') : [];
        const body = {
          sub: user.id,
          ...claimsForScopes(user, claims.scopes),
          ...claimsByName(user, names),
          username: user.username,
          scopes: claims.scopes,
        };
        // Core §5.3.2: signed and/or encrypted when the token's client registered so.
        const jwt = await userinfoJwt(app.sesame, claims.client_id, body);
        if (jwt !== undefined) return reply.type(JWT_CONTENT_TYPE).send(jwt);
        return body;
      },
    });
  }
}
