/**
 * Every field of a client but its id, type, secret and times, validated from a registration: one
 * function, so registering a client (an administrator's, or a dynamic registration) and replacing a
 * dynamically registered client's metadata (RFC 7592 §2.2) hold every field to the same rules.
 */
import type {
  Client,
  ClientJwks,
  ClientType,
  SubjectType,
  TokenEndpointAuthMethod,
} from '../../store/types.js';
import {
  validateAudience,
  validateAuthMethod,
  validateBackchannelLogoutUri,
  validateDpopBound,
  validateGrantTypes,
  validateIdTokenAlg,
  validateName,
  validatePermissions,
  validateRedirectUris,
  validateRequirePar,
  validateRequirePkce,
  validateScopes,
  validateSubjectType,
} from './validate.js';
import { validateResponseSettings } from './validate-encryption.js';
import { checkClientKeys, validateJwks, validateJwksUri } from './validate-keys.js';

/**
 * The OpenID Connect registration fields (store/types.ts Client has their defaults), one type for
 * registering a client and for changing one: a field given replaces the stored one, null clears
 * where allowed.
 */
export interface RegistrationFields {
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
  idTokenSignedResponseAlg?: string | null;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | null;
  requirePkce?: boolean;
  subjectType?: SubjectType;
  /** The public keys of a private_key_jwt client (RFC 7591 §2 `jwks`), or null for none. */
  jwks?: ClientJwks | null;
  /** Where they are published (`jwks_uri`: https, public addresses), or null for none. */
  jwksUri?: string | null;
  /** RFC 9449 §5.2 `dpop_bound_access_tokens`: every token request must carry a DPoP proof. */
  dpopBoundAccessTokens?: boolean;
  /** RFC 9126 §6 `require_pushed_authorization_requests`: authorization requests only by PAR. */
  requirePushedAuthorizationRequests?: boolean;
  /**
   * OpenID Connect Registration §2: encrypted ID tokens, signed or encrypted /userinfo answers
   * (validate-encryption.ts). An `*Enc` defaults to A128CBC-HS256 once its `*Alg` is given.
   */
  idTokenEncryptedResponseAlg?: string | null;
  idTokenEncryptedResponseEnc?: string | null;
  userinfoSignedResponseAlg?: string | null;
  userinfoEncryptedResponseAlg?: string | null;
  userinfoEncryptedResponseEnc?: string | null;
}

export interface NewClient extends RegistrationFields {
  name: string;
  /** Default 'confidential'. Public clients (browser, mobile) get no secret. */
  type?: ClientType;
  grantTypes: string[];
  scopes?: string[];
  redirectUris?: string[];
  audience?: string[];
  /** `introspect`, `revocations` (CLIENT_PERMISSIONS); none by default. */
  permissions?: string[];
  /** A fixed id (e.g. the first-party `sesame-docs`); random when absent. */
  clientId?: string;
  /** RFC 7592: the SHA-256 hex of the registration access token of a dynamically registered client. */
  registrationTokenHash?: string;
}

export type ClientFields = Omit<Client, 'clientId' | 'type' | 'secretHash' | 'createdAt' | 'updatedAt'>;

export interface FieldRules {
  /** The algorithms the server signs ID tokens with. */
  signable: readonly string[];
  /** Accept a jwks_uri over http or at a private address (config `jwksUriAllowPrivate`). */
  allowPrivate: boolean;
}

/**
 * The fields of `input` for a client of `type`, each validated; a ClientError names the first
 * field refused.
 *
 * @example const fields = validateClientFields({ name: 'quiz', grantTypes: ['client_credentials'] }, 'confidential', rules);
 */
export function validateClientFields(input: NewClient, type: ClientType, rules: FieldRules): ClientFields {
  const method = validateAuthMethod(input.tokenEndpointAuthMethod, type);
  const jwks = validateJwks(input.jwks);
  const jwksUri = validateJwksUri(input.jwksUri, rules.allowPrivate);
  checkClientKeys(method, jwks, jwksUri);
  return {
    name: validateName(input.name),
    grantTypes: validateGrantTypes(input.grantTypes, type),
    scopes: validateScopes(input.scopes ?? []),
    redirectUris: validateRedirectUris(input.redirectUris ?? []),
    audience: validateAudience(input.audience ?? []),
    permissions: validatePermissions(input.permissions ?? []),
    postLogoutRedirectUris: validateRedirectUris(
      input.postLogoutRedirectUris ?? [],
      'postLogoutRedirectUris',
    ),
    backchannelLogoutUri: validateBackchannelLogoutUri(input.backchannelLogoutUri),
    idTokenSignedResponseAlg: validateIdTokenAlg(input.idTokenSignedResponseAlg, rules.signable),
    tokenEndpointAuthMethod: method,
    requirePkce: validateRequirePkce(input.requirePkce, type),
    subjectType: validateSubjectType(input.subjectType),
    jwks,
    jwksUri,
    dpopBoundAccessTokens: validateDpopBound(input.dpopBoundAccessTokens),
    requirePushedAuthorizationRequests: validateRequirePar(input.requirePushedAuthorizationRequests),
    ...validateResponseSettings(input, undefined, rules.signable, jwks, jwksUri),
  };
}

/** A confidential client that does not sign its assertions authenticates with a secret. */
export function needsSecret(type: ClientType, method: Client['tokenEndpointAuthMethod']): boolean {
  return type === 'confidential' && method !== 'private_key_jwt';
}
