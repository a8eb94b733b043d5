/**
 * Route types from route schemas (DESIGN convention 7: the schema is the single source). A route added
 * through `typedRoutes(app)` gets its `request.body`, `query`, `params` and `headers` typed from the
 * JSON schemas it declares (@fastify/type-provider-json-schema-to-ts, json-schema-to-ts's
 * `FromSchema`), so a handler reads what Fastify validated without a cast, and a schema change that
 * a handler does not follow fails the typecheck.
 */
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Parameters } from './oauth/parameters.js';

/** A Fastify instance whose routes are typed by `Provider` from their schemas. */
export type TypedApp<Provider extends FastifyTypeProvider = JsonSchemaToTsProvider> = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  Provider
>;

/**
 * The same instance, its routes typed from their JSON schemas.
 *
 * @example
 * typedRoutes(app).get('/x/:id', { schema: { params: { type: 'object', required: ['id'],
 *   properties: { id: { type: 'string' } } } } }, async (request) => request.params.id); // a string
 */
export function typedRoutes(app: FastifyInstance): TypedApp {
  return app.withTypeProvider<JsonSchemaToTsProvider>();
}

/**
 * The type provider of the OAuth endpoints that read a body of RFC 6749 parameters: their
 * `preValidation` hook (`normaliseOAuthBody`) has made the body a flat map of strings before the
 * schema validates it, so the body is both what the schema says and `Parameters`.
 */
export interface OAuthParametersProvider extends FastifyTypeProvider {
  validator: this['schema'] extends JSONSchema ? FromSchema<this['schema']> & Parameters : Parameters;
  serializer: this['schema'] extends JSONSchema ? FromSchema<this['schema']> : unknown;
}

/**
 * The same instance, for routes whose body is RFC 6749 parameters (`preValidation:
 * normaliseOAuthBody`): `request.body` is typed from the schema and as `Parameters`.
 *
 * @example oauthParameterRoutes(app).post('/oauth/revoke', { preValidation: normaliseOAuthBody, schema }, handler);
 */
export function oauthParameterRoutes(app: FastifyInstance): TypedApp<OAuthParametersProvider> {
  return app.withTypeProvider<OAuthParametersProvider>();
}
