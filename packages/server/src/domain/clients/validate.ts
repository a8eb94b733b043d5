import { isScopeToken } from '@sesame/protocol';
/**
 * Validation of client registrations: grant types, scopes, redirect URIs, audience, name. Every
 * refusal is a ClientError naming the field, never echoing a secret.
 */
import type { ClientType, SubjectType, TokenEndpointAuthMethod } from '../../store/types.js';

export type ClientErrorCode = 'ERR_CLIENT_INVALID' | 'ERR_CLIENT_NOT_FOUND';

/**
 * @example if (error instanceof ClientError && error.code === 'ERR_CLIENT_INVALID') reply400(error.message);
 */
export class ClientError extends Error {
  readonly code: ClientErrorCode;
  constructor(code: ClientErrorCode, message: string) {
    super(message);
    this.name = 'ClientError';
    this.code = code;
  }
}

/** The grant types Sesame knows; other values must be absolute URIs (RFC 6749 §4.5 extension grants). */
export const KNOWN_GRANT_TYPES = [
  'password',
  'refresh_token',
  'client_credentials',
  'authorization_code',
] as const;

const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;

const invalid = (message: string) => new ClientError('ERR_CLIENT_INVALID', message);

export function validateName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || [...name].length > 100 || CONTROL.test(name)) {
    throw invalid('name must be 1 to 100 characters without control characters');
  }
  return name;
}

export function validateGrantTypes(grantTypes: unknown, type: ClientType): string[] {
  if (!Array.isArray(grantTypes) || grantTypes.length === 0)
    throw invalid('grantTypes must list at least one grant');
  for (const grant of grantTypes) {
    const known = (KNOWN_GRANT_TYPES as readonly unknown[]).includes(grant);
    if (!known && !(typeof grant === 'string' && isAbsoluteUri(grant))) {
      const shown = JSON.stringify(String(grant).slice(0, 100));
      throw invalid(
        `grantTypes: ${shown} is not a grant type; valid: ${KNOWN_GRANT_TYPES.join(', ')}, or an extension grant's absolute URI`,
      );
    }
  }
  // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
  if (type === 'public' && grantTypes.includes('client_credentials')) {
    throw invalid('a public client cannot use client_credentials');
  }
  return [...new Set(grantTypes as string[])];
}

export function validateScopes(scopes: unknown): string[] {
  if (!Array.isArray(scopes) || !scopes.every(isScopeToken)) {
    throw invalid('scopes must be scope tokens (RFC 6749 §3.3)');
  }
  return [...new Set(scopes as string[])];
}

/** RFC 8252 §7.3 / §8.3: the loopback hosts a native app may listen on over plain http. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Why a redirect URI is refused, or undefined when it is acceptable:
 * - RFC 6749 §3.1.2: an absolute URI without a fragment;
 * - https, or http only on a loopback host (RFC 8252 §7.3; RFC 9700 §4.1: no cleartext redirects);
 * - or a private-use scheme of a native app, in reverse-domain form, so with a dot (RFC 8252 §7.1),
 *   which keeps out javascript:, data:, file: and the like;
 * - no wildcard (RFC 9700 §4.1.1: exact matching only) and no userinfo (`https://good@evil`).
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (CONTROL.test(uri) || /\s/.test(uri)) return 'it must not contain spaces or control characters';
  if (!isAbsoluteUri(uri)) return 'it must be an absolute URI';
  if (uri.includes('#')) return 'it must not have a fragment (RFC 6749 section 3.1.2)';
  if (uri.includes('*')) return 'wildcards are not allowed: redirect URIs match exactly';
  // Browsers read a backslash in an http(s) URL as a slash; other parsers do not: no ambiguity.
  if (uri.includes('\\')) return 'it must not contain backslashes';
  const url = new URL(uri);
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (url.username !== '' || url.password !== '' || /^[^:]+:\/\/[^/?]*@/.test(uri))
    return 'it must not contain userinfo (user@host)';
  if (scheme === 'https') return undefined;
  if (scheme === 'http') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? undefined
      : 'http is allowed only for the loopback hosts 127.0.0.1, [::1] and localhost (RFC 8252 section 7.3): use https';
  }
  if (!scheme.includes('.'))
    return `the scheme ${scheme}: is not allowed: use https, http on a loopback host, or a private-use scheme in reverse-domain form such as com.example.app: (RFC 8252 section 7.1)`;
  return undefined;
}

/**
 * Every redirect URI must pass `redirectUriProblem`; the error names the field, the URI and the
 * rule. The post-logout redirect URIs follow the same rules (RP-Initiated Logout 1.0 §3.1).
 */
export function validateRedirectUris(
  uris: unknown,
  field: 'redirectUris' | 'postLogoutRedirectUris' = 'redirectUris',
): string[] {
  // redirectUris keeps the wording it always had; the newer field is named as the API spells it.
  const what = field === 'redirectUris' ? 'redirect URI' : `${field}:`;
  if (!Array.isArray(uris)) throw invalid(`${field} must be a list`);
  for (const uri of uris) {
    if (typeof uri !== 'string') throw invalid(`${field}: a URI must be a string`);
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) throw invalid(`${what} ${hideUserinfo(uri)} refused: ${problem}`);
  }
  return [...new Set(uris as string[])];
}

/** The URI is named (no secret of Sesame's), but never a password it might carry. */
const hideUserinfo = (uri: string) => shown(uri.replace(/\/\/[^/?#]*@/, '//…@'));

/**
 * Back-Channel Logout 1.0 §2.2: an absolute URI without a fragment that Sesame will POST logout
 * tokens to, so https only, or http on a loopback host; no userinfo. Null or absent: none.
 */
export function validateBackchannelLogoutUri(uri: unknown): string | null {
  const field = 'backchannelLogoutUri';
  if (uri === undefined || uri === null) return null;
  if (typeof uri !== 'string') throw invalid(`${field} must be a string or null`);
  const problem = redirectUriProblem(uri);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (problem !== undefined) throw invalid(`${field}: ${hideUserinfo(uri)} refused: ${problem}`);
  if (scheme !== 'https' && scheme !== 'http')
    throw invalid(`${field}: ${hideUserinfo(uri)} refused: it must be an https URL`);
  return uri;
}

/**
 * Registration §2 `id_token_signed_response_alg`: one the server can sign with (`signable`: the
 * configured algorithm and RS256). Null or absent: the server's (the configured one).
 */
export function validateIdTokenAlg(alg: unknown, signable: readonly string[]): string | null {
  if (alg === undefined || alg === null) return null;
  if (typeof alg !== 'string' || !signable.includes(alg)) {
    const named = typeof alg === 'string' ? shown(alg) : 'that value';
    throw invalid(
      `idTokenSignedResponseAlg: ${named} is not an algorithm this server signs with; valid: ${signable.join(', ')}`,
    );
  }
  return alg;
}

export const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
];

/**
 * RFC 7591 §2 `token_endpoint_auth_method`: a public client has no secret, so `none` (its default);
 * a confidential one uses one of the secret methods (either when absent: null) or private_key_jwt.
 * `client_secret_jwt` is refused with the reason (client-assertion.ts): secrets are stored hashed.
 */
export function validateAuthMethod(method: unknown, type: ClientType): TokenEndpointAuthMethod | null {
  const field = 'tokenEndpointAuthMethod';
  if (method === undefined || method === null) return type === 'public' ? 'none' : null;
  if (method === 'client_secret_jwt')
    throw invalid(
      `${field}: client_secret_jwt is not offered: client secrets are stored hashed and cannot key an HMAC; use private_key_jwt`,
    );
  if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly unknown[]).includes(method)) {
    const named = typeof method === 'string' ? shown(method) : 'that value';
    throw invalid(`${field}: ${named} is not a method; valid: ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`);
  }
  if (type === 'public' && method !== 'none')
    throw invalid(`${field}: a public client has no secret: use none`);
  if (type === 'confidential' && method === 'none')
    throw invalid(
      `${field}: a confidential client authenticates with client_secret_basic, client_secret_post or private_key_jwt`,
    );
  return method as TokenEndpointAuthMethod;
}

/** RFC 9700 §2.1.1: PKCE may be turned off only for a confidential client. Absent: required. */
export function validateRequirePkce(requirePkce: unknown, type: ClientType): boolean {
  if (requirePkce === undefined) return true;
  if (typeof requirePkce !== 'boolean') throw invalid('requirePkce must be true or false');
  if (!requirePkce && type === 'public') throw invalid('requirePkce: a public client always needs PKCE');
  return requirePkce;
}

/** RFC 9449 §5.2 `dpop_bound_access_tokens`: a boolean, false when absent. */
export function validateDpopBound(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid('dpopBoundAccessTokens must be true or false');
  return value;
}

/** RFC 9126 §6 `require_pushed_authorization_requests`: a boolean, false when absent. */
export function validateRequirePar(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid('requirePushedAuthorizationRequests must be true or false');
  return value;
}

/** Registration §2 `subject_type`: only `public` for now (pairwise would need a sector identifier). */
export function validateSubjectType(subjectType: unknown): SubjectType {
  if (subjectType === undefined || subjectType === 'public') return 'public';
  throw invalid('subjectType: only public is supported');
}

/**
 * A value to echo in an error: in single quotes (an OAuth error_description may not hold double
 * quotes or backslashes, RFC 6749 section 5.2), at most 100 characters, controls escaped.
 */
const shown = (value: string) =>
  `'${JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value).slice(1, -1)}'`;

/**
 * What a client may be permitted beyond its own tokens. `introspect`: RFC 7662 §4 wants the server
 * to decide which protected resources may introspect which tokens; this one may introspect any.
 * `revocations`: may follow the revocation feed (its entries name users and sessions).
 */
export const CLIENT_PERMISSIONS = ['introspect', 'revocations'] as const;
export type ClientPermission = (typeof CLIENT_PERMISSIONS)[number];

export function validatePermissions(permissions: unknown): ClientPermission[] {
  if (!Array.isArray(permissions)) throw invalid('permissions must be a list');
  for (const permission of permissions) {
    if (!(CLIENT_PERMISSIONS as readonly unknown[]).includes(permission)) {
      throw invalid(
        `unknown permission ${JSON.stringify(String(permission)).slice(0, 60)} (known: ${CLIENT_PERMISSIONS.join(', ')})`,
      );
    }
  }
  return [...new Set(permissions as ClientPermission[])];
}

export function validateAudience(audience: unknown): string[] {
  if (
    !Array.isArray(audience) ||
    !audience.every((a) => typeof a === 'string' && a !== '' && !CONTROL.test(a))
  ) {
    throw invalid('audience must be a list of non-empty strings');
  }
  return [...new Set(audience as string[])];
}

function isAbsoluteUri(text: string): boolean {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
