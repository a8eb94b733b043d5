import type { TypedApp } from '../typed-routes.js';
import { actorOf } from './actor.js';
import {
  clientSchema,
  idParams,
  permissionListSchema,
  publicClient,
  registrationFieldsSchema,
  scopeListSchema,
} from './schemas.js';

/**
 * /admin/clients: list, register (the secret is shown once, in this response), change permissions
 * and the OpenID Connect registration fields, remove.
 */
export async function adminClientRoutes(app: TypedApp): Promise<void> {
  const { clients } = app.sesame;
  const tags = ['admin'];

  app.get(
    '/clients',
    { schema: { tags, summary: 'List clients', response: { 200: { type: 'array', items: clientSchema } } } },
    async () => (await clients.list()).map(publicClient),
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
            ...registrationFieldsSchema,
          },
        },
        response: {
          201: { type: 'object', properties: { client: clientSchema, client_secret: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const { postLogoutRedirectUris, backchannelLogoutUri, idTokenSignedResponseAlg } = body;
      const { tokenEndpointAuthMethod, requirePkce, subjectType, jwks, jwksUri, dpopBoundAccessTokens } =
        body;
      const { requirePushedAuthorizationRequests, userinfoSignedResponseAlg } = body;
      const { idTokenEncryptedResponseAlg, idTokenEncryptedResponseEnc } = body;
      const { userinfoEncryptedResponseAlg, userinfoEncryptedResponseEnc } = body;
      // A taken id (StoreError ERR_STORE_DUPLICATE) becomes a 409 in the error handler.
      const { client, clientSecret } = await clients.create(
        {
          name: body.name,
          type: body.public ? 'public' : 'confidential',
          grantTypes: body.grantTypes,
          scopes: body.scopes ?? [],
          redirectUris: body.redirectUris ?? [],
          audience: body.audience ?? [],
          permissions: body.permissions ?? [],
          postLogoutRedirectUris,
          backchannelLogoutUri,
          idTokenSignedResponseAlg,
          tokenEndpointAuthMethod,
          requirePkce,
          subjectType,
          jwks,
          jwksUri,
          dpopBoundAccessTokens,
          requirePushedAuthorizationRequests,
          idTokenEncryptedResponseAlg,
          idTokenEncryptedResponseEnc,
          userinfoSignedResponseAlg,
          userinfoEncryptedResponseAlg,
          userinfoEncryptedResponseEnc,
        },
        actorOf(request),
      );
      reply.code(201).header('cache-control', 'no-store');
      return { client: publicClient(client), client_secret: clientSecret ?? undefined };
    },
  );

  app.patch(
    '/clients/:id',
    {
      schema: {
        tags,
        summary:
          "Change a client's permissions (introspect, revocations) or registration fields: each field given replaces its value",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { permissions: permissionListSchema, ...registrationFieldsSchema },
        },
        response: { 200: clientSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { body } = request;
      // An unknown id (ClientError ERR_CLIENT_NOT_FOUND) becomes a 404 in the error handler.
      return publicClient(await clients.change(id, body, actorOf(request)));
    },
  );

  app.delete(
    '/clients/:id',
    { schema: { tags, summary: 'Remove a client', params: idParams, response: { 204: { type: 'null' } } } },
    async (request, reply) => {
      // Its sessions end and its access tokens are refused at once; an unknown id
      // (ClientError ERR_CLIENT_NOT_FOUND) becomes a 404 in the error handler.
      await clients.remove(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
