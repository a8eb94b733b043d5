import { OAuthError } from '../../domain/errors.js';
import type { TypedApp } from '../typed-routes.js';
import { actorOf } from './actor.js';
import { idParams, sessionSchema } from './schemas.js';

/** Sessions (refresh-token families): list a user's, revoke one, revoke every session of a user. */
export async function adminSessionRoutes(app: TypedApp): Promise<void> {
  const { users, sessions } = app.sesame;
  const tags = ['admin'];

  app.get(
    '/users/:id/sessions',
    {
      schema: {
        tags,
        summary: "A user's live sessions",
        params: idParams,
        response: { 200: { type: 'array', items: sessionSchema } },
      },
    },
    async (request) => sessions.listForUser(request.params.id),
  );

  app.delete(
    '/users/:id/sessions',
    {
      schema: {
        tags,
        summary: 'Revoke every session of a user, and every access token issued to them so far',
        params: idParams,
        response: {
          200: { type: 'object', properties: { revoked: { type: 'array', items: { type: 'string' } } } },
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if ((await users.find({ id })) === undefined) throw new OAuthError('not_found', 'no such user');
      // Also tokens without a session (sid): every access token issued to the user up to now.
      return { revoked: await users.endSessions(id, actorOf(request)) };
    },
  );

  app.delete(
    '/sessions/:id',
    {
      schema: { tags, summary: 'Revoke one session', params: idParams, response: { 204: { type: 'null' } } },
    },
    async (request, reply) => {
      if ((await sessions.end(request.params.id, actorOf(request))) === 'unknown')
        throw new OAuthError('not_found', 'no such session');
      return reply.code(204).send(null);
    },
  );
}
