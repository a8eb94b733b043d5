import { PROFILE_CLAIMS } from '../../domain/accounts/profile.js';
import type { Client, User } from '../../store/types.js';
import { profileClaimsProperties } from '../oauth/schemas.js';

/** A user as the admin API shows it: never the password hash. */
export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    disabled: { type: 'boolean' },
    profile: { type: 'object', properties: profileClaimsProperties, additionalProperties: false },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

/** A client as the admin API shows it: never the secret hash. */
export const clientSchema = {
  type: 'object',
  properties: {
    clientId: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string', enum: ['confidential', 'public'] },
    grantTypes: { type: 'array', items: { type: 'string' } },
    scopes: { type: 'array', items: { type: 'string' } },
    redirectUris: { type: 'array', items: { type: 'string' } },
    audience: { type: 'array', items: { type: 'string' } },
    permissions: { type: 'array', items: { type: 'string' } },
    postLogoutRedirectUris: { type: 'array', items: { type: 'string' } },
    backchannelLogoutUri: { type: ['string', 'null'] },
    idTokenSignedResponseAlg: { type: ['string', 'null'] },
    tokenEndpointAuthMethod: { type: ['string', 'null'] },
    requirePkce: { type: 'boolean' },
    subjectType: { type: 'string' },
    // The public keys of a private_key_jwt client: a JWK Set's members are any JSON.
    jwks: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true } } },
    },
    jwksUri: { type: ['string', 'null'] },
    dpopBoundAccessTokens: { type: 'boolean' },
    requirePushedAuthorizationRequests: { type: 'boolean' },
    idTokenEncryptedResponseAlg: { type: ['string', 'null'] },
    idTokenEncryptedResponseEnc: { type: ['string', 'null'] },
    userinfoSignedResponseAlg: { type: ['string', 'null'] },
    userinfoEncryptedResponseAlg: { type: ['string', 'null'] },
    userinfoEncryptedResponseEnc: { type: ['string', 'null'] },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

/**
 * The OpenID Connect registration fields (Registration 1.0 §2, camelCase) that registering and
 * changing a client accept; the domain validates them (clients/validate.ts), the schema only the
 * shape. Null clears a field where that means something (the server's algorithm, either method).
 */
export const registrationFieldsSchema = {
  postLogoutRedirectUris: { type: 'array', items: { type: 'string' }, maxItems: 100 },
  backchannelLogoutUri: { type: ['string', 'null'], maxLength: 2000 },
  idTokenSignedResponseAlg: { type: ['string', 'null'], maxLength: 20 },
  tokenEndpointAuthMethod: {
    type: ['string', 'null'],
    enum: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none', null],
  },
  // RFC 7591 §2: the public keys of a private_key_jwt client, inline or by URL (never both); the
  // domain checks the keys and holds the URL to the SSRF rules (clients/validate-keys.ts).
  jwks: {
    type: ['object', 'null'],
    required: ['keys'],
    additionalProperties: false,
    properties: {
      keys: { type: 'array', maxItems: 20, items: { type: 'object', additionalProperties: true } },
    },
  },
  jwksUri: { type: ['string', 'null'], maxLength: 2000 },
  requirePkce: { type: 'boolean' },
  subjectType: { type: 'string', enum: ['public'] },
  /** RFC 9449 §5.2 `dpop_bound_access_tokens`. */
  dpopBoundAccessTokens: { type: 'boolean' },
  /** RFC 9126 §6 `require_pushed_authorization_requests`. */
  requirePushedAuthorizationRequests: { type: 'boolean' },
  // Registration §2 encrypted ID tokens and signed/encrypted /userinfo answers; the domain checks
  // the values and that the client's keys hold one to encrypt to (clients/validate-encryption.ts).
  idTokenEncryptedResponseAlg: { type: ['string', 'null'], maxLength: 20 },
  idTokenEncryptedResponseEnc: { type: ['string', 'null'], maxLength: 20 },
  userinfoSignedResponseAlg: { type: ['string', 'null'], maxLength: 20 },
  userinfoEncryptedResponseAlg: { type: ['string', 'null'], maxLength: 20 },
  userinfoEncryptedResponseEnc: { type: ['string', 'null'], maxLength: 20 },
} as const;

/** `introspect` any token, read the `revocations` feed (clients/validate.ts CLIENT_PERMISSIONS). */
export const permissionListSchema = {
  type: 'array',
  items: { type: 'string', enum: ['introspect', 'revocations'] },
  maxItems: 10,
} as const;

export const sessionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    userId: { type: ['string', 'null'] },
    clientId: { type: 'string' },
    scope: { type: 'string' },
    createdAt: { type: 'integer' },
    expiresAt: { type: 'integer' },
    revokedAt: { type: ['integer', 'null'] },
    revokedReason: { type: ['string', 'null'] },
  },
  additionalProperties: false,
} as const;

export const scopeListSchema = {
  type: 'array',
  items: { type: 'string', pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$' },
  maxItems: 100,
} as const;

export const usernameSchema = { type: 'string', pattern: '^[A-Za-z0-9._@+-]{1,64}$' } as const;
export const passwordSchema = { type: 'string', format: 'password', minLength: 8, maxLength: 1024 } as const;

/**
 * Profile claims in a request: the claim names for the document, but no types, because the
 * validator coerces types (`"true"` would become `true`): the domain checks each claim's type and
 * shape and names the claim it refuses (domain/accounts/profile.ts), unknown claims included.
 */
export function profileInputSchema(removable: boolean) {
  const description = removable
    ? 'OpenID Connect claims (Core §5.1) to set; null removes a claim, a claim left out stays'
    : 'OpenID Connect claims (Core §5.1): name, email, email_verified, phone_number, address, …';
  return {
    type: 'object',
    description,
    properties: Object.fromEntries(PROFILE_CLAIMS.map((claim) => [claim, {}])),
    examples: [{ name: 'Alice Liddell', email: 'alice@example.com', email_verified: true }],
    maxProperties: PROFILE_CLAIMS.length,
  } as const;
}

/** Strips what the admin API never returns. */
export function publicUser(user: User) {
  const { passwordHash: _hidden, ...rest } = user;
  return rest;
}

export function publicClient(client: Client) {
  const { secretHash: _hidden, ...rest } = client;
  return rest;
}

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
