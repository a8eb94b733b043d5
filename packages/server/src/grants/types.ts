import type { DpopProof } from '@sesame/protocol';
import type { FastifyRequest } from 'fastify';
import type { Parameters } from '../domain/parameters.js';
import type { Services } from '../domain/services.js';
import type { Client } from '../store/types.js';

/** One request parameter of a grant, as shown in the OpenAPI document. */
export interface GrantParameter {
  description: string;
  required?: boolean;
  /** A credential: shown as a password field on /docs, never logged. */
  secret?: boolean;
}

/** What a grant gets: the authenticated client, the checked parameters, the services. */
export interface GrantContext {
  client: Client;
  params: Parameters;
  services: Services;
  request: FastifyRequest;
  /**
   * The request's DPoP proof (RFC 9449 §5), checked by the token endpoint: pass it to
   * `issueTokenResponse` (`dpop`) to bind the access token to its key. Undefined: none was sent.
   */
  dpop?: DpopProof;
}

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the access token is bound to the proof's key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token?: string;
  scope: string;
  /** OpenID Connect Core §3.1.3.3: an ID token, when `openid` was granted. */
  id_token?: string;
}

/**
 * A grant type of the token endpoint. The endpoint has already authenticated the client, checked
 * that the client may use this grant and that every required parameter is present.
 *
 * @example
 * export const passwordGrant: GrantModule = {
 *   grantType: 'password',
 *   description: 'RFC 6749 §4.3',
 *   parameters: { username: { description: 'the username', required: true } },
 *   async handle({ client, params, services }) { ... },
 * };
 */
export interface GrantModule {
  /** The grant_type value (an absolute URI for extension grants, RFC 6749 §4.5). */
  grantType: string;
  /** Other grant_type values accepted for this grant (e.g. a short alias). */
  aliases?: readonly string[];
  description: string;
  parameters: Readonly<Record<string, GrantParameter>>;
  handle(context: GrantContext): Promise<TokenResponse>;
}
