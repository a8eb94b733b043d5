import type { FastifyInstance } from 'fastify';
import type { Client } from '../../store/types.js';
import { oauthParameterRoutes } from '../typed-routes.js';
import { authenticateClient } from './client-auth.js';
import { normaliseOAuthBody, requireParameter } from './parameters.js';
import { CLIENT_AUTH_SECURITY, OAUTH_CONSUMES, oauthErrorResponses, TOKEN_REQUEST_BODY } from './schemas.js';
import { findToken, isRefreshActive } from './token-lookup.js';

const INACTIVE = Object.freeze({ active: false });

const introspectionSchema = {
  type: 'object',
  description: 'RFC 7662 §2.2; an inactive token is only { "active": false }',
  properties: {
    active: { type: 'boolean' },
    scope: { type: 'string' },
    client_id: { type: 'string' },
    username: { type: 'string' },
    token_type: { type: 'string' },
    exp: { type: 'integer' },
    iat: { type: 'integer' },
    sub: { type: 'string' },
    aud: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    iss: { type: 'string' },
    jti: { type: 'string' },
    sid: { type: 'string' },
    // RFC 9449 §6.2: the key a DPoP-bound token is bound to.
    cnf: { type: 'object', properties: { jkt: { type: 'string' } }, additionalProperties: false },
  },
  required: ['active'],
} as const;

/**
 * Who may learn about a token (RFC 7662 §4: the server decides which protected resources may
 * introspect which tokens): the client it was issued to, a client named in its `aud` (the resource
 * server it is meant for), or a client with the `introspect` permission. Anyone else gets
 * `active: false`, as for an unknown token, so a token's details never reach an unrelated client.
 */
function entitled(
  client: Client,
  owner: string | undefined,
  audience: string | string[] | undefined,
): boolean {
  if (client.permissions.includes('introspect') || owner === client.clientId) return true;
  return audience === client.clientId || (Array.isArray(audience) && audience.includes(client.clientId));
}

/**
 * POST /oauth/introspect (RFC 7662), for clients entitled to the token (`entitled`). §2.2: an
 * inactive token gets `active: false` and nothing else — never the reason.
 */
export async function introspectEndpoint(app: FastifyInstance): Promise<void> {
  oauthParameterRoutes(app).post(
    '/oauth/introspect',
    {
      preValidation: normaliseOAuthBody,
      schema: {
        tags: ['oauth'],
        summary: 'Introspect a token (RFC 7662)',
        consumes: OAUTH_CONSUMES,
        security: CLIENT_AUTH_SECURITY,
        body: TOKEN_REQUEST_BODY,
        response: { 200: introspectionSchema, ...oauthErrorResponses },
      },
    },
    async (request, reply) => {
      const params = request.body;
      const services = app.sesame;
      const { client } = await authenticateClient(request, params, services);
      const token = requireParameter(params, 'token');
      const found = await findToken(services, token, params.token_type_hint);
      reply.headers({ 'cache-control': 'no-store' });

      if (found.kind === 'access') {
        const { claims } = found;
        if (!entitled(client, claims.client_id, claims.aud) || (await services.revocations.isRevoked(claims)))
          return INACTIVE;
        return {
          active: true,
          scope: claims.scopes.join(' '),
          client_id: claims.client_id,
          username: claims.username,
          // RFC 9449 §6.2: a bound token is of type DPoP, and says which key with `cnf`.
          token_type: jktOf(claims.raw.cnf) === undefined ? 'Bearer' : 'DPoP',
          exp: claims.exp,
          iat: claims.iat,
          sub: claims.sub,
          aud: claims.aud,
          iss: claims.iss,
          jti: typeof claims.raw.jti === 'string' ? claims.raw.jti : undefined,
          sid: claims.sid,
          cnf: jktOf(claims.raw.cnf) === undefined ? undefined : { jkt: jktOf(claims.raw.cnf) },
        };
      }
      if (found.kind === 'refresh') {
        const { record, family } = found;
        // A refresh token is for Sesame alone: its client, or a client permitted to introspect.
        if (!entitled(client, family.clientId, undefined) || !isRefreshActive(record, family, services.now()))
          return INACTIVE;
        return {
          active: true,
          scope: family.scope,
          client_id: family.clientId,
          token_type: 'refresh_token',
          exp: Math.floor(Math.min(record.expiresAt, family.expiresAt) / 1000),
          iat: Math.floor(record.createdAt / 1000),
          sub: family.userId ?? family.clientId,
          iss: services.config.issuer,
          sid: family.id,
        };
      }
      return INACTIVE;
    },
  );
}

/** The `cnf.jkt` of a token's claims (RFC 9449 §6.1), when it is a string. */
function jktOf(cnf: unknown): string | undefined {
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
  return typeof jkt === 'string' ? jkt : undefined;
}
