import Fastify from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { normaliseOAuthBody, type Parameters } from '../../src/http/oauth/parameters.js';
import { TOKEN_REQUEST_BODY } from '../../src/http/oauth/schemas.js';
import { oauthParameterRoutes, typedRoutes } from '../../src/http/typed-routes.js';

// The types below are checked by `npm run typecheck` (tsc over the tests); each @ts-expect-error
// is a negative case: it fails the typecheck if the line ever stops being an error.
describe('routes typed from their schemas', () => {
  it('types params, query and body from the JSON schemas, and the schemas still validate', async () => {
    const app = Fastify();
    typedRoutes(app).post(
      '/things/:id',
      {
        schema: {
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          querystring: { type: 'object', properties: { limit: { type: 'integer', default: 10 } } },
          body: {
            type: 'object',
            required: ['names'],
            properties: { names: { type: 'array', items: { type: 'string' } }, admin: { type: 'boolean' } },
          },
        },
      },
      async (request) => {
        expectTypeOf(request.params.id).toEqualTypeOf<string>();
        // A defaulted member is always there after validation (Fastify's Ajv fills defaults in).
        expectTypeOf(request.query.limit).toEqualTypeOf<number>();
        expectTypeOf(request.body.names).toEqualTypeOf<string[]>();
        expectTypeOf(request.body.admin).toEqualTypeOf<boolean | undefined>();
        // @ts-expect-error the schema says names is an array of strings, not a string
        const wrong: string = request.body.names;
        return { id: request.params.id, count: request.body.names.length, limit: request.query.limit, wrong };
      },
    );
    const ok = await app.inject({ method: 'POST', url: '/things/a?limit=2', payload: { names: ['x', 'y'] } });
    expect(ok.json()).toMatchObject({ id: 'a', count: 2, limit: 2 });
    const bad = await app.inject({ method: 'POST', url: '/things/a', payload: { admin: true } });
    expect(bad.statusCode).toBe(400);
    await app.close();
  });

  it('types an OAuth body as its schema and as RFC 6749 parameters (strings)', async () => {
    const app = Fastify();
    app.register(import('@fastify/formbody'));
    oauthParameterRoutes(app).post(
      '/revoke',
      { preValidation: normaliseOAuthBody, schema: { body: TOKEN_REQUEST_BODY } },
      async (request) => {
        expectTypeOf(request.body.token).toEqualTypeOf<string>();
        expectTypeOf(request.body).toExtend<Parameters>();
        expectTypeOf(request.body.token_type_hint).toExtend<'access_token' | 'refresh_token' | undefined>();
        // @ts-expect-error a hint the schema does not list
        const hint: typeof request.body.token_type_hint = 'id_token';
        return { token: request.body.token, extra: request.body.extra ?? null, hint };
      },
    );
    const response = await app.inject({
      method: 'POST',
      url: '/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=abc&extra=1',
    });
    expect(response.json()).toEqual({ token: 'abc', extra: '1', hint: 'id_token' });
    const missing = await app.inject({
      method: 'POST',
      url: '/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'extra=1',
    });
    expect(missing.statusCode).toBe(400);
    await app.close();
  });
});
