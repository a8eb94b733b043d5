/**
 * POST /oauth/par, the pushed authorization request endpoint (RFC 9126 §2): the client
 * authenticates as at the token endpoint (client-auth.ts: every method; a public client by its
 * client_id alone, §2.1), the request is checked by the authorization endpoint's own checks
 * (authorize-request.ts), kept, and answered with a `request_uri` usable once within 60 seconds.
 * Errors are JSON (§2.3): 400 with the authorization endpoint's error code, 401 invalid_client.
 */
import type { FastifyInstance } from 'fastify';
import { SEAL_PARAMETER } from '../../domain/authorization/pushed-requests.js';
import { OAuthError } from '../../domain/errors.js';
import { oauthParameterRoutes } from '../typed-routes.js';
import { AUTHORIZE_PARAMETERS, checkAuthorizationRequest } from './authorize-request.js';
import { authenticateClient } from './client-auth.js';
import { normaliseOAuthBody } from './parameters.js';
import { CLIENT_AUTH_SECURITY, OAUTH_CONSUMES, oauthErrorResponses } from './schemas.js';

const responseSchema = {
  type: 'object',
  description: 'RFC 9126 §2.2',
  properties: {
    request_uri: {
      type: 'string',
      examples: ['urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c'],
    },
    expires_in: { type: 'integer', examples: [60] },
  },
  required: ['request_uri', 'expires_in'],
  additionalProperties: false,
} as const;

const text = (description: string) => ({ type: 'string', description }) as const;

/**
 * Registers POST /oauth/par beside the authorization endpoint it feeds.
 *
 * @example registerPushedAuthorizationEndpoint(app); // in the authorization endpoint's plugin
 */
export function registerPushedAuthorizationEndpoint(app: FastifyInstance): void {
  const properties: Record<string, { type: 'string'; description: string; format?: 'password' }> = {
    ...Object.fromEntries(
      AUTHORIZE_PARAMETERS.filter((name) => name !== SEAL_PARAMETER && name !== 'request_uri').map((name) => [
        name,
        text('as at GET /oauth/authorize'),
      ]),
    ),
    client_id: text('the client; with Basic or an assertion, optional (and then the same)'),
    client_secret: { type: 'string', format: 'password', description: 'client_secret_post' },
    client_assertion_type: text('private_key_jwt: urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
    client_assertion: {
      type: 'string',
      format: 'password',
      description: 'private_key_jwt: the signed assertion',
    },
  };
  oauthParameterRoutes(app).post(
    '/oauth/par',
    {
      preValidation: normaliseOAuthBody,
      schema: {
        tags: ['oauth'],
        summary: 'Push an authorization request (RFC 9126)',
        description:
          'The parameters of an authorization request, with client authentication as at the token ' +
          'endpoint. Answers a `request_uri` to send to GET /oauth/authorize with `client_id` ' +
          '(usable once, for `expires_in` seconds).',
        consumes: OAUTH_CONSUMES,
        security: CLIENT_AUTH_SECURITY,
        body: { type: 'object', properties } as const,
        response: { 201: responseSchema, ...oauthErrorResponses },
      },
    },
    async (request, reply) => {
      const params = request.body;
      const services = app.sesame;
      const { client } = await authenticateClient(request, params, services);
      // §2.1: "The request_uri authorization request parameter is one exception, and it MUST NOT
      // be provided." The seal is the server's own, never a client's.
      if (params.request_uri !== undefined)
        throw new OAuthError('invalid_request', 'request_uri must not be pushed (RFC 9126 §2.1)');
      if (params[SEAL_PARAMETER] !== undefined)
        throw new OAuthError('invalid_request', `${SEAL_PARAMETER} is set by the server, never by a client`);
      // The authenticated client is the request's client, whatever method proved it.
      const pushed = { ...params, client_id: client.clientId };
      const checked = await checkAuthorizationRequest(pushed, services, { pushing: true });
      if (!checked.ok) {
        // §2.3: the authorization endpoint's error codes, as a 400 JSON answer (never a redirect).
        throw new OAuthError(checked.error.error, checked.error.message, { status: 400 });
      }
      const { requestUri, expiresIn } = await services.pushedRequests.push(
        client.clientId,
        checked.request.params,
      );
      return reply
        .code(201)
        .headers({ 'cache-control': 'no-store' })
        .send({ request_uri: requestUri, expires_in: expiresIn });
    },
  );
}
