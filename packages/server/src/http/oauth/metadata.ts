import type { FastifyInstance } from 'fastify';
import { SCOPE_CLAIMS, SCOPED_CLAIMS } from '../../domain/accounts/claims.js';
import { ASSERTION_ALGORITHMS } from '../../domain/clients/client-assertion.js';
import { ENCRYPTION_ALGORITHMS, ENCRYPTION_ENCS } from '../../domain/clients/encryption-keys.js';
import { ID_TOKEN_CLAIMS, PASSWORD_ACR } from '../../domain/tokens/id-token.js';
import type { GrantRegistry } from '../../grants/index.js';
import { typedRoutes } from '../typed-routes.js';
import { DISPLAY_VALUES, UI_LOCALES } from './authorize-oidc-parameters.js';
import { PROMPT_VALUES } from './authorize-prompt.js';
import { RESPONSE_MODES } from './authorize-response.js';

/** RFC 8414 §2 `token_endpoint_auth_methods_supported` (client-auth.ts). */
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;

/**
 * RFC 8414 authorization server metadata, also served at /.well-known/openid-configuration so
 * OpenID-minded libraries find it. Built from the configuration and the grant registry, so a new
 * grant appears here without touching this file. One document for both URLs: RFC 8414 §2 lets it
 * carry OpenID Connect Discovery's fields, and a client reading either finds the same truth.
 *
 * @example buildMetadata(issuer, grants, 'ES256', { idTokenAlgorithms: ['ES256', 'RS256'] })
 */
export function buildMetadata(
  issuer: string,
  grants: GrantRegistry,
  algorithm: string,
  /** The algorithms ID tokens can be signed with; none (HMAC mode): no ID tokens are advertised. */
  options: {
    idTokenAlgorithms: readonly string[];
    /** The DPoP proof algorithms (RFC 9449 §5.1); none or absent: DPoP is not offered (classic profile). */
    dpopAlgorithms?: readonly string[];
    /** RFC 9126 §5: the server-wide requirePushedAuthorizationRequests. */
    requirePushedAuthorizationRequests?: boolean;
    /** RFC 8414 §2 `registration_endpoint`: advertised unless registration is off. */
    registration?: boolean;
  },
): Record<string, unknown> {
  const codeFlow = grants.find('authorization_code') !== undefined;
  return {
    issuer,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    userinfo_endpoint: `${issuer}/userinfo`,
    grant_types_supported: grants.grants.map((grant) => grant.grantType),
    response_types_supported: [],
    // Every endpoint that authenticates clients does it one way (client-auth.ts): one list for all.
    // client_secret_jwt is not offered: secrets are stored hashed (domain/clients/client-assertion.ts).
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    introspection_endpoint_auth_methods_supported: [...AUTH_METHODS],
    introspection_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    // RFC 9068 §2.1: the access tokens are JWTs signed with this algorithm.
    access_token_signing_alg_values_supported: [algorithm],
    service_documentation: `${issuer}/docs`,
    // RFC 7591 §3 (register.ts): open or with an initial access token, per configuration.
    ...(options.registration && { registration_endpoint: `${issuer}/oauth/register` }),
    // RFC 9449 §5.1: the token endpoint binds access tokens to the key of a DPoP proof of these algorithms.
    ...(options.dpopAlgorithms?.length && { dpop_signing_alg_values_supported: [...options.dpopAlgorithms] }),
    // The code flow (RFC 6749 §4.1) with PKCE S256 only (RFC 7636, RFC 9700 §2.1.1), and RFC 9207 iss.
    ...(codeFlow && {
      authorization_endpoint: `${issuer}/oauth/authorize`,
      response_types_supported: ['code'],
      response_modes_supported: [...RESPONSE_MODES],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      // The prompt values the authorization endpoint acts on (authorize-prompt.ts).
      prompt_values_supported: [...PROMPT_VALUES],
      display_values_supported: [...DISPLAY_VALUES],
      ui_locales_supported: [...UI_LOCALES],
      // RP-Initiated Logout 1.0 §2.1 (end-session.ts); without ID tokens it asks the user to confirm.
      end_session_endpoint: `${issuer}/oauth/logout`,
      // RFC 9126 §5: pushed authorization requests (par.ts); whether every request must be pushed.
      pushed_authorization_request_endpoint: `${issuer}/oauth/par`,
      require_pushed_authorization_requests: options.requirePushedAuthorizationRequests ?? false,
    }),
    // OpenID Connect Discovery §3: ID tokens come from the code flow, and only when a published
    // key signs them (never in HMAC mode: domain/tokens/id-token.ts). Each value is what works now:
    // no request objects, the `claims` parameter (claims-parameter.ts), public subject identifiers.
    ...(codeFlow &&
      options.idTokenAlgorithms.length > 0 && {
        // openid and the Core §5.4 scopes /userinfo releases claims for; a deployment's own scopes
        // (quiz, admin) are its business and stay out of the list (RFC 8414 §2: RECOMMENDED).
        scopes_supported: ['openid', ...Object.keys(SCOPE_CLAIMS)],
        subject_types_supported: ['public'],
        // Discovery §3: RS256 MUST be included; a client picks one (id_token_signed_response_alg).
        id_token_signing_alg_values_supported: [...options.idTokenAlgorithms],
        // Registration §2 encrypted responses (domain/clients/response-encryption.ts): asymmetric
        // key management only (client secrets are stored hashed), never RSA1_5 nor PBES2.
        id_token_encryption_alg_values_supported: [...ENCRYPTION_ALGORITHMS],
        id_token_encryption_enc_values_supported: [...ENCRYPTION_ENCS],
        userinfo_signing_alg_values_supported: [...options.idTokenAlgorithms],
        userinfo_encryption_alg_values_supported: [...ENCRYPTION_ALGORITHMS],
        userinfo_encryption_enc_values_supported: [...ENCRYPTION_ENCS],
        // The ID token's own claims, and the profile claims a scope or the claims parameter releases.
        claims_supported: [...ID_TOKEN_CLAIMS, ...SCOPED_CLAIMS],
        acr_values_supported: [PASSWORD_ACR],
        claims_parameter_supported: true,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        // Back-Channel Logout 1.0 §2.1: logout tokens are signed like ID tokens (none in HMAC
        // mode) and carry the session's `sid` (domain/tokens/backchannel-logout.ts).
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
      }),
  };
}

const metadataSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    issuer: { type: 'string' },
    token_endpoint: { type: 'string' },
    jwks_uri: { type: 'string' },
  },
} as const;

export async function metadataRoutes(
  app: FastifyInstance,
  options: { grants: GrantRegistry },
): Promise<void> {
  const { config, idTokens, dpop } = app.sesame;
  const algorithm = config.tokenProfile === 'classic' ? 'HS256' : config.algorithm;
  const document = Object.freeze(
    buildMetadata(config.issuer, options.grants, algorithm, {
      idTokenAlgorithms: idTokens.algorithms,
      dpopAlgorithms: dpop.enabled ? dpop.algorithms : [],
      requirePushedAuthorizationRequests: config.requirePushedAuthorizationRequests,
      registration: config.registration !== 'off',
    }),
  );
  for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    typedRoutes(app).get(
      url,
      {
        schema: {
          tags: ['discovery'],
          summary: url.endsWith('openid-configuration')
            ? 'The same metadata, for OpenID clients'
            : 'Server metadata (RFC 8414)',
          response: { 200: metadataSchema },
        },
      },
      async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(document),
    );
  }

  // Untyped: a JWK Set's keys are any JSON members (the schema lets them all through).
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Public signing keys (RFC 7517 JWK Set)',
        description:
          'The next key, the current key, and retired keys until every token they signed has expired.',
        response: {
          200: {
            type: 'object',
            properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    // A short cache: a guard refetches on an unknown kid anyway, and the next key is published
    // a whole rotation period before it signs.
    async (_request, reply) => {
      // Read from the store: a key revoked by a sibling worker or the CLI must not be served again.
      // With the store out of reach, the last keys read are served (as before the read existed).
      await app.sesame.keys.fresh(0).catch(() => undefined);
      // Empty for HS256 (the classic profile): a shared secret is never published.
      return reply.header('cache-control', 'public, max-age=300').send(app.sesame.keys.jwks());
    },
  );
}
