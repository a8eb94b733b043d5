/**
 * Dynamic client registration: POST /oauth/register (RFC 7591 §3) and the client configuration
 * endpoint GET/PUT/DELETE /oauth/register/:clientId (RFC 7592 §2), each with the Bearer token of
 * its kind: an initial access token to register (when `registration` is `token`), the client's
 * registration access token to manage it. JSON in, JSON out; errors are RFC 7591 §3.2.2 bodies
 * (400) and RFC 6750 §3.1 challenges (401). The rules are the domain's (domain/clients/registration.ts).
 */
import { ProtocolError, parseBearer } from '@sesame/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import { typedRoutes } from '../typed-routes.js';
import { bearerError } from './bearer.js';

const tags = ['registration'];
const text = { type: 'string' } as const;
const texts = { type: 'array', items: text } as const;

/** RFC 7591 §2 metadata as Sesame keeps it, for the OpenAPI document and the serializer. */
const metadataProperties = {
  client_name: text,
  token_endpoint_auth_method: {
    type: 'string',
    enum: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
  },
  grant_types: texts,
  response_types: texts,
  redirect_uris: texts,
  scope: text,
  post_logout_redirect_uris: texts,
  backchannel_logout_uri: text,
  id_token_signed_response_alg: text,
  id_token_encrypted_response_alg: text,
  id_token_encrypted_response_enc: text,
  userinfo_signed_response_alg: text,
  userinfo_encrypted_response_alg: text,
  userinfo_encrypted_response_enc: text,
  subject_type: text,
  jwks: { type: 'object', additionalProperties: true },
  jwks_uri: text,
  dpop_bound_access_tokens: { type: 'boolean' },
  require_pushed_authorization_requests: { type: 'boolean' },
} as const;

const responseSchema = {
  type: 'object',
  description: 'RFC 7591 §3.2.1 (RFC 7592 §3 for the configuration endpoint)',
  properties: {
    client_id: text,
    client_secret: { type: 'string', description: 'confidential clients with a secret method; once' },
    client_secret_expires_at: { type: 'integer', description: '0: the secret does not expire' },
    client_id_issued_at: { type: 'integer' },
    registration_access_token: { type: 'string', description: 'in the registration response only' },
    registration_client_uri: text,
    ...metadataProperties,
  },
  required: ['client_id', 'registration_client_uri'],
} as const;

const errorSchema = {
  type: 'object',
  properties: { error: text, error_description: text },
  required: ['error'],
} as const;

/** Validated by the domain (so a bad field is invalid_client_metadata, not a schema error). */
const bodySchema = {
  type: 'object',
  description:
    'RFC 7591 §2 client metadata. Fields Sesame does not know are ignored; those it knows but does not offer are refused.',
  additionalProperties: true,
} as const;

const clientParams = {
  type: 'object',
  required: ['clientId'],
  properties: { clientId: { type: 'string', maxLength: 128 } },
} as const;

/** The Bearer token of the request, or undefined when there is none (another scheme counts as none). */
function bearerOf(request: FastifyRequest): string | undefined {
  try {
    return parseBearer(request.headers.authorization);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    if (error.code === 'ERR_CREDENTIALS_MALFORMED') throw bearerError('invalid_request', error.message);
    return undefined;
  }
}

/** The registration access token of a configuration request, required (RFC 7592 §2). */
function registrationToken(request: FastifyRequest): string {
  const token = bearerOf(request);
  if (token === undefined) throw bearerError('missing', 'the registration access token is required');
  return token;
}

const security = [{ registrationToken: [] }];

/**
 * Registers the registration endpoints; with `registration` off they answer 404 (and discovery
 * does not name them).
 *
 * @example await app.register(registrationRoutes);
 */
export async function registrationRoutes(app: FastifyInstance): Promise<void> {
  const routes = typedRoutes(app);
  const { registration } = app.sesame;
  const off = () => {
    if (app.sesame.config.registration === 'off')
      throw new OAuthError('not_found', 'dynamic client registration is off on this server');
  };
  const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 429: errorSchema };

  routes.post(
    '/oauth/register',
    {
      schema: {
        tags,
        summary: 'Register a client (RFC 7591)',
        description:
          'Open, or with an initial access token as a Bearer token (configuration `registration`). ' +
          'Answers the client, its secret when it has one, and the registration access token that ' +
          'manages it at `registration_client_uri`.',
        security,
        body: bodySchema,
        response: { 201: responseSchema, ...errors },
      },
    },
    async (request, reply) => {
      off();
      const initialAccessToken = bearerOf(request);
      const answer = await registration.register(request.body, { initialAccessToken, address: request.ip });
      return reply.code(201).headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(answer);
    },
  );

  routes.get(
    '/oauth/register/:clientId',
    {
      schema: {
        tags,
        summary: "Read a registered client's metadata (RFC 7592)",
        security,
        params: clientParams,
        response: { 200: responseSchema, ...errors },
      },
    },
    async (request, reply) => {
      off();
      const answer = await registration.read(request.params.clientId, registrationToken(request));
      return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(answer);
    },
  );

  routes.put(
    '/oauth/register/:clientId',
    {
      schema: {
        tags,
        summary: "Replace a registered client's metadata (RFC 7592)",
        description:
          'The whole metadata, with client_id; omitted fields are cleared or reset to their defaults.',
        security,
        params: clientParams,
        body: bodySchema,
        response: { 200: responseSchema, ...errors },
      },
    },
    async (request, reply) => {
      off();
      const token = registrationToken(request);
      const answer = await registration.replace(request.params.clientId, token, request.body);
      return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(answer);
    },
  );

  routes.delete(
    '/oauth/register/:clientId',
    {
      schema: {
        tags,
        summary: 'Delete a registered client, its sessions and tokens (RFC 7592)',
        security,
        params: clientParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      off();
      await registration.remove(request.params.clientId, registrationToken(request));
      return reply.code(204).send(null);
    },
  );
}
