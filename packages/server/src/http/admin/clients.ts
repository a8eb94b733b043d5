import { OAuthError } from '../../domain/errors.js';
import { withdrawClient } from '../../domain/tokens/withdraw.js';
import type { TypedApp } from '../typed-routes.js';
import { clientSchema, idParams, permissionListSchema, publicClient, scopeListSchema } from './schemas.js';

/**
 * /admin/clients: list, register (the secret is shown once, in this response), change permissions,
 * remove.
 */
export async function adminClientRoutes(app: TypedApp): Promise<void> {
  const { store, clients } = app.sesame;
  const tags = ['admin'];

  app.get(
    '/clients',
    { schema: { tags, summary: 'List clients', response: { 200: { type: 'array', items: clientSchema } } } },
    async () => (await store.listClients()).map(publicClient),
  );

  app.post(
    '/clients',
    {
      schema: {
        tags,
        summary: 'Register a client; its secret is in this response only',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            public: { type: 'boolean', default: false },
            grantTypes: { type: 'array', items: { type: 'string' }, default: ['client_credentials'] },
            scopes: scopeListSchema,
            redirectUris: { type: 'array', items: { type: 'string', format: 'uri' } },
            audience: { type: 'array', items: { type: 'string' } },
            permissions: permissionListSchema,
          },
        },
        response: {
          201: { type: 'object', properties: { client: clientSchema, client_secret: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      // A taken id (StoreError ERR_STORE_DUPLICATE) becomes a 409 in the error handler.
      const { client, clientSecret } = await clients.create({
        name: body.name,
        type: body.public ? 'public' : 'confidential',
        grantTypes: body.grantTypes,
        scopes: body.scopes ?? [],
        redirectUris: body.redirectUris ?? [],
        audience: body.audience ?? [],
        permissions: body.permissions ?? [],
      });
      await app.sesame.audit({
        type: 'admin.client.created',
        actor: request.tokenClaims?.sub ?? null,
        subject: client.clientId,
        details: {},
      });
      reply.code(201).header('cache-control', 'no-store');
      return { client: publicClient(client), client_secret: clientSecret ?? undefined };
    },
  );

  app.patch(
    '/clients/:id',
    {
      schema: {
        tags,
        summary: "Change a client's permissions (introspect, revocations): the list given replaces it",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['permissions'],
          properties: { permissions: permissionListSchema },
        },
        response: { 200: clientSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { body } = request;
      // An unknown id (ClientError ERR_CLIENT_NOT_FOUND) becomes a 404 in the error handler.
      const client = await clients.setPermissions(id, body.permissions);
      await app.sesame.audit({
        type: 'admin.client.changed',
        actor: request.tokenClaims?.sub ?? null,
        subject: id,
        details: { permissions: client.permissions },
      });
      return publicClient(client);
    },
  );

  app.delete(
    '/clients/:id',
    { schema: { tags, summary: 'Remove a client', params: idParams, response: { 204: { type: 'null' } } } },
    async (request, reply) => {
      const { id } = request.params;
      const removed = await store.deleteClient(id);
      app.sesame.clients.forget(id); // after the delete: a request in between cannot bring it back
      if (!removed) throw new OAuthError('not_found', 'no such client');
      // What the client holds goes with it: its sessions, and its access tokens at once.
      const sessions = await withdrawClient(app.sesame, id);
      await app.sesame.audit({
        type: 'admin.client.removed',
        actor: request.tokenClaims?.sub ?? null,
        subject: id,
        details: { sessions: sessions.length },
      });
      return reply.code(204).send(null);
    },
  );
}
