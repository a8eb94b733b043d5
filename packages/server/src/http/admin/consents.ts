import { OAuthError } from '../../domain/errors.js';
import type { TypedApp } from '../typed-routes.js';
import { actorOf } from './actor.js';

const consentSchema = {
  type: 'object',
  properties: {
    clientId: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
  additionalProperties: false,
} as const;

const userParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 200 } },
} as const;

/**
 * A user's remembered consents (given on the authorization endpoint's consent page): list them,
 * revoke one (which also revokes the user's sessions with that client).
 */
export async function adminConsentRoutes(app: TypedApp): Promise<void> {
  const tags = ['admin'];
  const services = app.sesame;
  const userOr404 = async (id: string) => {
    if ((await services.users.find({ id })) === undefined) throw new OAuthError('not_found', 'no such user');
  };

  app.get(
    '/users/:id/consents',
    {
      schema: {
        tags,
        summary: "A user's remembered consents to clients",
        params: userParams,
        response: { 200: { type: 'array', items: consentSchema } },
      },
    },
    async (request) => {
      const { id } = request.params;
      await userOr404(id);
      return services.consents.list(id);
    },
  );

  app.delete(
    '/users/:id/consents/:clientId',
    {
      schema: {
        tags,
        summary: "Revoke a user's consent to a client, and their sessions with it",
        params: {
          type: 'object',
          required: ['id', 'clientId'],
          properties: {
            id: { type: 'string', maxLength: 200 },
            clientId: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: { type: 'object', properties: { revoked: { type: 'array', items: { type: 'string' } } } },
        },
      },
    },
    async (request) => {
      const { id, clientId } = request.params;
      await userOr404(id);
      const result = await services.consents.revoke(id, clientId, actorOf(request));
      if (!result.removed && result.sessions.length === 0) {
        throw new OAuthError('not_found', 'the user has no consent for that client');
      }
      return { revoked: result.sessions };
    },
  );
}
