/**
 * RFC 7591 §2 client metadata, as a dynamic registration sends it, turned into a client
 * registration (NewClient) under the rules of a dynamically registered client, and back into the
 * metadata a registration answers (§3.2.1). The fields Sesame keeps are validated by the same
 * functions as an administrator's registration (client-fields.ts), with the error codes of §3.2.2;
 * the rules added here are those of a client nobody vetted: no password grant, no extension grant,
 * only the scopes the deployment allows, PKCE always, no software statement.
 */
import type { Client, TokenEndpointAuthMethod } from '../../store/types.js';
import { OAuthError } from '../errors.js';
import { ASSERTION_ALGORITHMS } from './client-assertion.js';
import type { NewClient } from './clients.js';
import { ClientError, redirectUriProblem } from './validate.js';

/** The grants a dynamically registered client may use (RFC 9700 §2.4: never the password grant). */
export const REGISTRABLE_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

/**
 * Metadata Sesame understands but does not offer: ignoring them (RFC 7591 §2 lets a server ignore
 * what it does not understand) would leave the client believing in request objects or other
 * features it will never get, so they are refused by name.
 */
const UNSUPPORTED = [
  'request_object_signing_alg',
  'request_object_encryption_alg',
  'request_object_encryption_enc',
  'request_uris',
  'sector_identifier_uri',
  'authorization_signed_response_alg',
  'tls_client_certificate_bound_access_tokens',
  'frontchannel_logout_uri',
] as const;

/** The names NewClient's validators use in their messages, in RFC 7591's spelling. */
const FIELD_NAMES: Record<string, string> = {
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_redirect_uris',
  backchannelLogoutUri: 'backchannel_logout_uri',
  idTokenSignedResponseAlg: 'id_token_signed_response_alg',
  idTokenEncryptedResponseAlg: 'id_token_encrypted_response_alg',
  idTokenEncryptedResponseEnc: 'id_token_encrypted_response_enc',
  userinfoSignedResponseAlg: 'userinfo_signed_response_alg',
  userinfoEncryptedResponseAlg: 'userinfo_encrypted_response_alg',
  userinfoEncryptedResponseEnc: 'userinfo_encrypted_response_enc',
  tokenEndpointAuthMethod: 'token_endpoint_auth_method',
  grantTypes: 'grant_types',
  jwksUri: 'jwks_uri',
  subjectType: 'subject_type',
  name: 'client_name',
};

/** The response signing and encryption fields (Registration §2), as the client keeps them and by name. */
const RESPONSE_FIELDS = [
  ['idTokenEncryptedResponseAlg', 'id_token_encrypted_response_alg'],
  ['idTokenEncryptedResponseEnc', 'id_token_encrypted_response_enc'],
  ['userinfoSignedResponseAlg', 'userinfo_signed_response_alg'],
  ['userinfoEncryptedResponseAlg', 'userinfo_encrypted_response_alg'],
  ['userinfoEncryptedResponseEnc', 'userinfo_encrypted_response_enc'],
] as const;

const metadataError = (message: string) => new OAuthError('invalid_client_metadata', message);

/** A ClientError of the shared validators, in RFC 7591's words and codes. */
export function registrationError(error: unknown): unknown {
  if (!(error instanceof ClientError) || error.code !== 'ERR_CLIENT_INVALID') return error;
  const message = error.message.replace(/\b[a-zA-Z]+\b/g, (word) => FIELD_NAMES[word] ?? word);
  return message.startsWith('redirect URI') || message.startsWith('redirect_uris')
    ? new OAuthError('invalid_redirect_uri', message)
    : metadataError(message);
}

function stringList(body: Record<string, unknown>, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string') || value.length > 50)
    throw metadataError(`${field} must be a list of at most 50 strings`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw metadataError(`${field} must be a string`);
  return value;
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw metadataError(`${field} must be true or false`);
  return value;
}

/** What a deployment allows a dynamically registered client. */
export interface RegistrationPolicy {
  /** config `registrationScopes`. */
  scopes: readonly string[];
}

/**
 * The registration a metadata document asks for, checked; fields Sesame does not know are ignored
 * (RFC 7591 §2). Throws OAuthError invalid_redirect_uri, invalid_client_metadata or
 * unapproved_software_statement. The shared validators run after, when the client is made.
 *
 * @example const input = readClientMetadata(request.body, { scopes: ['openid'] });
 */
export function readClientMetadata(body: unknown, policy: RegistrationPolicy): NewClient {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw metadataError('the request body must be a JSON object of client metadata');
  const metadata = body as Record<string, unknown>;
  // RFC 7591 §3.1.1: a server that approves none says so with unapproved_software_statement.
  if (metadata.software_statement !== undefined)
    throw new OAuthError(
      'unapproved_software_statement',
      'this server approves no software statement: register without one',
    );
  for (const field of UNSUPPORTED) {
    if (metadata[field] !== undefined && metadata[field] !== null)
      throw metadataError(`${field} is not supported by this server`);
  }
  const method = (optionalString(metadata, 'token_endpoint_auth_method') ??
    'client_secret_basic') as TokenEndpointAuthMethod; // RFC 7591 §2: the default
  const grantTypes = stringList(metadata, 'grant_types') ?? ['authorization_code'];
  for (const grant of grantTypes) {
    if (!(REGISTRABLE_GRANTS as readonly string[]).includes(grant))
      throw metadataError(`grant_types: a registered client may use ${REGISTRABLE_GRANTS.join(', ')} only`);
  }
  const responseTypes = stringList(metadata, 'response_types') ?? ['code'];
  if (responseTypes.some((type) => type !== 'code'))
    throw metadataError('response_types: only code is supported');
  // RFC 7591 §2.1: the code response type goes with the authorization_code grant, both ways.
  const codeFlow = grantTypes.includes('authorization_code');
  if (codeFlow !== responseTypes.includes('code'))
    throw metadataError(
      'grant_types and response_types disagree: authorization_code goes with the code response type (RFC 7591 section 2.1)',
    );
  const redirectUris = stringList(metadata, 'redirect_uris') ?? [];
  if (codeFlow && redirectUris.length === 0)
    throw new OAuthError(
      'invalid_redirect_uri',
      'redirect_uris: the authorization_code grant needs at least one',
    );
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined)
      throw new OAuthError('invalid_redirect_uri', `redirect_uris: a redirect URI is refused: ${problem}`);
  }
  const scope = optionalString(metadata, 'scope');
  const scopes = scope === undefined ? [...policy.scopes] : scope.split(' ').filter((s) => s !== '');
  const refused = scopes.find((name) => !policy.scopes.includes(name));
  if (refused !== undefined)
    throw metadataError(`scope: a registered client may be given ${policy.scopes.join(' ')} only`);
  const signingAlg = optionalString(metadata, 'token_endpoint_auth_signing_alg');
  if (signingAlg !== undefined && !(ASSERTION_ALGORITHMS as readonly string[]).includes(signingAlg))
    throw metadataError(`token_endpoint_auth_signing_alg must be one of ${ASSERTION_ALGORITHMS.join(', ')}`);
  if (
    metadata.jwks !== undefined &&
    metadata.jwks !== null &&
    metadata.jwks_uri !== undefined &&
    metadata.jwks_uri !== null
  )
    throw metadataError('give jwks or jwks_uri, not both (RFC 7591 section 2)');
  const name = optionalString(metadata, 'client_name');
  return {
    name: name ?? 'unnamed registered client',
    type: method === 'none' ? 'public' : 'confidential',
    tokenEndpointAuthMethod: method,
    grantTypes,
    scopes,
    redirectUris,
    postLogoutRedirectUris: stringList(metadata, 'post_logout_redirect_uris') ?? [],
    backchannelLogoutUri: optionalString(metadata, 'backchannel_logout_uri') ?? null,
    idTokenSignedResponseAlg: optionalString(metadata, 'id_token_signed_response_alg') ?? null,
    // Registration §2 encrypted and signed responses, checked with the keys (validate-encryption.ts).
    ...Object.fromEntries(
      RESPONSE_FIELDS.map(([field, name]) => [field, optionalString(metadata, name) ?? null]),
    ),
    subjectType: optionalString(metadata, 'subject_type') as NewClient['subjectType'],
    jwks: (metadata.jwks ?? null) as NewClient['jwks'],
    jwksUri: optionalString(metadata, 'jwks_uri') ?? null,
    dpopBoundAccessTokens: optionalBoolean(metadata, 'dpop_bound_access_tokens') ?? false,
    requirePushedAuthorizationRequests:
      optionalBoolean(metadata, 'require_pushed_authorization_requests') ?? false,
    // A client nobody vetted always proves its code with PKCE (RFC 9700 §2.1.1).
    requirePkce: true,
  };
}

/**
 * The metadata of a registered client, as RFC 7591 §3.2.1 answers it: every field as registered
 * (defaults filled in), never its secret hash.
 *
 * @example reply.send({ client_id: client.clientId, ...clientMetadata(client) });
 */
export function clientMetadata(client: Client): Record<string, unknown> {
  return {
    client_name: client.name,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
    grant_types: client.grantTypes,
    response_types: client.grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: client.redirectUris,
    scope: client.scopes.join(' '),
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    ...(client.backchannelLogoutUri !== null && { backchannel_logout_uri: client.backchannelLogoutUri }),
    ...(client.idTokenSignedResponseAlg !== null && {
      id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    }),
    ...Object.fromEntries(
      RESPONSE_FIELDS.filter(([field]) => client[field] !== null).map(([field, name]) => [
        name,
        client[field],
      ]),
    ),
    subject_type: client.subjectType,
    ...(client.jwks !== null && { jwks: client.jwks }),
    ...(client.jwksUri !== null && { jwks_uri: client.jwksUri }),
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests,
  };
}
