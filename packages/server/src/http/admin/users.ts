import { OAuthError } from '../../domain/errors.js';
import type { TypedApp } from '../typed-routes.js';
import { actorOf } from './actor.js';
import {
  idParams,
  passwordSchema,
  profileInputSchema,
  publicUser,
  scopeListSchema,
  usernameSchema,
  userSchema,
} from './schemas.js';

const notFound = () => new OAuthError('not_found', 'no such user');

/** /admin/users: list, create, read, change (scopes, disabled, password, profile claims). */
export async function adminUserRoutes(app: TypedApp): Promise<void> {
  const { users } = app.sesame;
  const tags = ['admin'];

  app.get(
    '/users',
    {
      schema: {
        tags,
        summary: 'List users',
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            // An integer past 2^53 is no exact number in JavaScript, and past 2^63 PostgreSQL's bigint
            // refuses it with an error: both are answered 400 here, on every store.
            offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
          },
        },
        response: { 200: { type: 'array', items: userSchema } },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      return (await users.list({ limit, offset })).map(publicUser);
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create a user',
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: {
            username: usernameSchema,
            password: passwordSchema,
            scopes: scopeListSchema,
            profile: profileInputSchema(false),
          },
        },
        response: { 201: userSchema },
      },
    },
    async (request, reply) => {
      const { body } = request;
      // A taken name (AccountError ERR_USERNAME_TAKEN) becomes a 409 in the error handler.
      const user = await users.create(
        {
          username: body.username,
          password: body.password,
          scopes: body.scopes ?? ['openid'],
          profile: body.profile,
        },
        actorOf(request),
      );
      return reply.code(201).send(publicUser(user));
    },
  );

  app.get(
    '/users/:id',
    { schema: { tags, summary: 'Read a user', params: idParams, response: { 200: userSchema } } },
    async (request) => {
      const user = await users.find({ id: request.params.id });
      if (user === undefined) throw notFound();
      return publicUser(user);
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Change a user: scopes, disabled, password, profile claims',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            scopes: scopeListSchema,
            disabled: { type: 'boolean' },
            password: passwordSchema,
            profile: profileInputSchema(true),
          },
        },
        response: { 200: userSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { body } = request;
      const before = await users.find({ id });
      if (before === undefined) throw notFound();
      await users.change(before, body, actorOf(request));
      return publicUser((await users.find({ id }))!);
    },
  );
}
