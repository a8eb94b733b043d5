import { OAuthError } from '../../domain/errors.js';
import { endUserSessions } from '../../domain/tokens/withdraw.js';
import type { TypedApp } from '../typed-routes.js';
import { idParams, sessionSchema } from './schemas.js';

/** Sessions (refresh-token families): list a user's, revoke one, revoke every session of a user. */
export async function adminSessionRoutes(app: TypedApp): Promise<void> {
  const { store, sessions } = app.sesame;
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
    async (request) => store.listUserFamilies(request.params.id, app.sesame.now()),
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
      if ((await store.findUserById(id)) === undefined) throw new OAuthError('not_found', 'no such user');
      // Also tokens without a session (sid): every access token issued to the user up to now.
      const revoked = await endUserSessions(app.sesame, id, 'revoked by admin');
      await app.sesame.audit({
        type: 'revocation',
        actor: request.tokenClaims?.sub ?? null,
        subject: id,
        details: { sessions: revoked.length, scope: 'user' },
      });
      return { revoked };
    },
  );

  app.delete(
    '/sessions/:id',
    {
      schema: { tags, summary: 'Revoke one session', params: idParams, response: { 204: { type: 'null' } } },
    },
    async (request, reply) => {
      const { id } = request.params;
      if ((await store.findRefreshFamily(id)) === undefined)
        throw new OAuthError('not_found', 'no such session');
      if (await sessions.revokeFamily(id, 'revoked by admin')) {
        await app.sesame.audit({
          type: 'revocation',
          actor: request.tokenClaims?.sub ?? null,
          subject: id,
          details: { scope: 'session' },
        });
      }
      return reply.code(204).send(null);
    },
  );
}
