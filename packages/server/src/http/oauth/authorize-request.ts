/**
 * The checks of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3), in the order §4.1.2.1
 * requires: while the client and its redirect URI are not verified, an error is shown to the user
 * and never redirected (an open redirector otherwise); after that, errors go back to the client.
 */

import { isS256Challenge } from '../../domain/authorization/pkce.js';
import { OAuthError } from '../../domain/errors.js';
import { parseScope } from '../../domain/scopes.js';
import type { Services } from '../../domain/services.js';
import type { Client, RequestedClaims } from '../../store/types.js';
import {
  type OidcParameters,
  readIdTokenHint,
  readOidcParameters,
  refusedRequestObject,
} from './authorize-oidc-parameters.js';
import { type PromptRequest, readPromptParameters } from './authorize-prompt.js';
import { type ClientTarget, type ResponseMode, readResponseMode } from './authorize-response.js';
import { applyClaimsParameter, type ClaimsParameter, readClaimsParameter } from './claims-parameter.js';
import { type Parameters, readParameters } from './parameters.js';

/** The parameters an authorization request carries through the login and consent forms. */
export const AUTHORIZE_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'prompt',
  'max_age',
  'login_hint',
  'response_mode',
  'id_token_hint',
  'display',
  'ui_locales',
  'claims_locales',
  'acr_values',
  'request',
  'request_uri',
  'claims',
  'dpop_jkt',
  /** Set by the server, never by a client: the seal of a pushed request (pushed-requests.ts). */
  'pushed',
] as const;

/**
 * The longest `nonce` kept. OpenID Connect Core §3.1.2.1 sets no limit; the value is stored with
 * the code and signed into the ID token, so an unbounded one would bloat both. 512 characters is
 * far above what relying parties send (a hash or 128 random bits, encoded).
 */
export const NONCE_MAX_LENGTH = 512;

export interface AuthorizationRequest {
  client: Client;
  /** The verified redirect URI: the one given, or the client's only one. */
  redirectUri: string;
  redirectUriGiven: boolean;
  /** Form Post Response Mode §2: how the response goes back (authorize-response.ts). */
  responseMode: ResponseMode;
  /** The scopes asked for (all the client's when none), each allowed to the client. */
  scopes: string[];
  state: string | undefined;
  /** Null only for a confidential client registered with requirePkce false that sent none. */
  codeChallenge: string | null;
  /** OpenID Connect Core §3.1.2.1: opaque, echoed exactly in the ID token's `nonce` claim. */
  nonce: string | undefined;
  /** RFC 9449 §10: the thumbprint of the key the code's exchange must prove (`dpop_jkt`). */
  dpopJkt: string | undefined;
  /** OpenID Connect Core §3.1.2.1: prompt, max_age and login_hint, checked (authorize-prompt.ts). */
  interaction: PromptRequest;
  /**
   * The user the request is for: the `sub` of a verified `id_token_hint` (Core §3.1.2.1), or the
   * `sub` value of the claims parameter (§5.5.1).
   */
  subject: string | undefined;
  /** The claims asked for by name (Core §5.5) that the client may be given (claims-parameter.ts). */
  claims: RequestedClaims | undefined;
  /** display, ui_locales, acr_values (authorize-oidc-parameters.ts). */
  preferences: OidcParameters;
  /** The request's own parameters, to carry through forms and back to GET /oauth/authorize. */
  params: Record<string, string>;
}

export type CheckedAuthorizationRequest =
  | { ok: true; request: AuthorizationRequest }
  /** `redirect` when the error may go back to the client (its redirect URI is verified). */
  | { ok: false; error: OAuthError; redirect?: ClientTarget };

/**
 * Checks an authorization request given as query or form fields; unknown fields are ignored
 * (RFC 6749 §3.1), a repeated one is refused. The same checks serve POST /oauth/par (RFC 9126
 * §2.1: "the authorization server MUST validate the request the same way as at the authorization
 * endpoint"), with `pushing` set: a request being pushed is not refused for not being pushed.
 *
 * @example
 * const checked = await checkAuthorizationRequest(request.query, app.sesame);
 * if (!checked.ok) return checked.redirect ? redirectError(...) : errorPage(...);
 */
export async function checkAuthorizationRequest(
  input: unknown,
  services: Pick<Services, 'clients' | 'idTokenHints' | 'pushedRequests' | 'config'>,
  options: { pushing?: boolean } = {},
): Promise<CheckedAuthorizationRequest> {
  let all: Parameters;
  try {
    all = readParameters(input);
  } catch (error) {
    if (error instanceof OAuthError) return { ok: false, error };
    throw error;
  }
  const params: Record<string, string> = {};
  for (const name of AUTHORIZE_PARAMETERS) if (all[name] !== undefined) params[name] = all[name];
  const page = (description: string) => ({
    ok: false as const,
    error: new OAuthError('invalid_request', description),
  });

  if (params.client_id === undefined) return page('the client_id parameter is missing');
  const client = await services.clients.find(params.client_id);
  if (client === undefined) return page('the client is not known');
  let redirectUri = params.redirect_uri;
  if (redirectUri === undefined) {
    // RFC 6749 §3.1.2.3: optional only when the client registered exactly one.
    if (client.redirectUris.length !== 1) return page('the redirect_uri parameter is missing');
    redirectUri = client.redirectUris[0]!;
  } else if (!client.redirectUris.includes(redirectUri)) {
    // RFC 9700 §2.1: exact string matching, no patterns, no prefixes.
    return page('the redirect_uri is not registered for this client');
  }

  const state = params.state;
  // Read first, so every later error goes back the way the client asked for.
  const responseMode = readResponseMode(params.response_mode, redirectUri);
  const back = (error: OAuthError) => ({
    ok: false as const,
    error,
    redirect: {
      redirectUri: redirectUri!,
      state,
      responseMode: responseMode instanceof OAuthError ? ('query' as const) : responseMode,
    },
  });
  if (responseMode instanceof OAuthError) return back(responseMode);
  // RFC 9126 §5/§6: a client (or the whole server) that requires PAR takes only requests that came
  // from a request_uri, which the pages carry sealed (pushed-requests.ts); a seal is never trusted
  // from a client otherwise, and never needed when nothing requires it.
  const parRequired =
    services.config.requirePushedAuthorizationRequests || client.requirePushedAuthorizationRequests;
  if (parRequired && !options.pushing && !(await services.pushedRequests.sealed(params))) {
    return back(
      new OAuthError(
        'invalid_request',
        'this client must push its authorization request first (POST /oauth/par, RFC 9126)',
      ),
    );
  }
  const requestObject = refusedRequestObject(params);
  if (requestObject !== undefined) return back(requestObject);
  if (params.response_type === undefined) {
    return back(new OAuthError('invalid_request', 'the response_type parameter is missing'));
  }
  if (params.response_type !== 'code') {
    return back(new OAuthError('unsupported_response_type', 'only response_type=code is supported'));
  }
  if (!client.grantTypes.includes('authorization_code')) {
    return back(new OAuthError('unauthorized_client', 'the client may not use the authorization code grant'));
  }
  // RFC 9700 §2.1.1: PKCE for every public client, and for a confidential one unless registered
  // without it (OpenID Connect's nonce protects it); RFC 7636 §4.3 defaults the method to plain,
  // refused here. A challenge that is sent is checked whatever the client's setting.
  const pkceOptional = client.type === 'confidential' && !client.requirePkce;
  if (params.code_challenge === undefined && !pkceOptional) {
    return back(new OAuthError('invalid_request', 'code_challenge is required (PKCE, S256)'));
  }
  if (params.code_challenge !== undefined || params.code_challenge_method !== undefined) {
    if (params.code_challenge_method !== 'S256') {
      return back(new OAuthError('invalid_request', 'code_challenge_method must be S256'));
    }
    if (!isS256Challenge(params.code_challenge ?? '')) {
      return back(new OAuthError('invalid_request', 'code_challenge is not a base64url SHA-256 value'));
    }
  }
  if (params.nonce !== undefined && params.nonce.length > NONCE_MAX_LENGTH) {
    return back(new OAuthError('invalid_request', `the nonce is longer than ${NONCE_MAX_LENGTH} characters`));
  }
  // RFC 9449 §10: dpop_jkt is an RFC 7638 SHA-256 thumbprint, 43 base64url characters.
  if (params.dpop_jkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(params.dpop_jkt)) {
    return back(new OAuthError('invalid_request', 'dpop_jkt is not a JWK SHA-256 thumbprint'));
  }
  let interaction: PromptRequest;
  let preferences: OidcParameters;
  let claimsParameter: ClaimsParameter | undefined;
  try {
    interaction = readPromptParameters(params);
    preferences = readOidcParameters(params);
    claimsParameter = readClaimsParameter(params.claims);
  } catch (error) {
    return back(error as OAuthError);
  }
  let requested: string[] | undefined;
  try {
    requested = parseScope(params.scope);
  } catch (error) {
    return back(error as OAuthError);
  }
  const refused = (requested ?? []).filter((scope) => !client.scopes.includes(scope));
  if (refused.length > 0) {
    return back(new OAuthError('invalid_scope', `scope not allowed: ${refused.join(' ').slice(0, 200)}`));
  }
  const hinted = readIdTokenHint(params.id_token_hint, client.clientId, services);
  if (hinted instanceof OAuthError) return back(hinted);
  const applied = applyClaimsParameter(claimsParameter, client, hinted);
  if (applied instanceof OAuthError) return back(applied);
  const { claims, subject } = applied;
  return {
    ok: true,
    request: {
      client,
      redirectUri,
      redirectUriGiven: params.redirect_uri !== undefined,
      responseMode,
      scopes: requested ?? [...client.scopes],
      state,
      codeChallenge: params.code_challenge ?? null,
      nonce: params.nonce,
      dpopJkt: params.dpop_jkt,
      interaction,
      subject,
      claims,
      preferences,
      params,
    },
  };
}
