/**
 * JSON schemas shared by the routes: they validate, serialise and become the OpenAPI document.
 */

/** RFC 6749 §5.2 and RFC 6750 §3 error body. */
export const oauthErrorSchema = {
  type: 'object',
  description: 'An OAuth 2.0 error (RFC 6749 §5.2, RFC 6750 §3)',
  properties: {
    error: { type: 'string', examples: ['invalid_request'] },
    error_description: { type: 'string' },
  },
  required: ['error'],
  // What is serialised: the JSON serialiser drops members the schema does not name.
  additionalProperties: false,
} as const;

/** The error responses every OAuth endpoint may give. */
export const oauthErrorResponses = {
  400: oauthErrorSchema,
  401: oauthErrorSchema,
  413: oauthErrorSchema,
  415: oauthErrorSchema,
  429: oauthErrorSchema,
} as const;

/**
 * RFC 6749 §5.1 token response. The access and ID tokens are compact JWS or JWE that Sesame's own
 * signer wrote, base64url segments and dots: nothing in them needs a JSON escape, so the serializer
 * writes them as they are (`format: 'unsafe'`) instead of scanning about a kilobyte per response
 * for characters that cannot be there (bench:id-token).
 */
export const tokenResponseSchema = {
  type: 'object',
  description: 'Tokens (RFC 6749 §5.1)',
  properties: {
    access_token: { type: 'string', format: 'unsafe' },
    token_type: { type: 'string', enum: ['Bearer', 'DPoP'] },
    expires_in: { type: 'integer' },
    refresh_token: { type: 'string' },
    scope: { type: 'string' },
    id_token: {
      type: 'string',
      format: 'unsafe',
      description: 'OpenID Connect Core §3.1.3.3: when `openid` was granted',
    },
  },
  required: ['access_token', 'token_type', 'expires_in', 'scope'],
  additionalProperties: false,
} as const;

/** Content types of the OAuth POST endpoints: forms per RFC 6749, JSON as the classic design sent. */
export const OAUTH_CONSUMES = ['application/x-www-form-urlencoded', 'application/json'];

/** OpenAPI security of client-authenticated endpoints: Basic, or client_id/secret in the body. */
export const CLIENT_AUTH_SECURITY: { [name: string]: string[] }[] = [{ clientBasic: [] }, {}];

/** OpenAPI security of bearer-protected endpoints (the Authorize dialog's code flow, web/docs.ts). */
export function bearerSecurity(...scopes: string[]) {
  return [{ sesame: scopes }];
}

/** private_key_jwt's two parameters (RFC 7523 §2.2), in the OpenAPI document of each endpoint. */
export const CLIENT_ASSERTION_TYPE_DESCRIPTION =
  'private_key_jwt: urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const CLIENT_ASSERTION_DESCRIPTION =
  'private_key_jwt: a JWT signed with the client key (iss = sub = client_id, aud, exp, jti; single use)';

/** The body of revocation (RFC 7009 §2.1) and introspection (RFC 7662 §2.1): a token and its hint. */
export const TOKEN_REQUEST_BODY = {
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', format: 'password', description: 'an access or refresh token' },
    token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'] },
    client_id: { type: 'string' },
    client_secret: { type: 'string', format: 'password' },
    client_assertion_type: { type: 'string', description: CLIENT_ASSERTION_TYPE_DESCRIPTION },
    client_assertion: { type: 'string', format: 'password', description: CLIENT_ASSERTION_DESCRIPTION },
  },
} as const;

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;

/**
 * The OpenID Connect standard claims (Core §5.1) as they are answered, by /userinfo and in a user
 * of the admin API. Every claim is listed because the serialiser drops members it does not name.
 */
export const profileClaimsProperties = {
  name: text,
  given_name: text,
  family_name: text,
  middle_name: text,
  nickname: text,
  preferred_username: text,
  profile: text,
  picture: text,
  website: text,
  gender: text,
  birthdate: text,
  zoneinfo: text,
  locale: text,
  updated_at: { type: 'integer', description: 'seconds since the epoch, set when the profile changes' },
  email: text,
  email_verified: flag,
  phone_number: text,
  phone_number_verified: flag,
  address: {
    type: 'object',
    properties: {
      formatted: text,
      street_address: text,
      locality: text,
      region: text,
      postal_code: text,
      country: text,
    },
    additionalProperties: false,
  },
} as const;
