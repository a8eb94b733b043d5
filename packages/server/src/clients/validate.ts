/**
 * Validation of client registrations: grant types, scopes, redirect URIs, audience, name. Every
 * refusal is a ClientError naming the field, never echoing a secret.
 */
import type { ClientType } from '../store/types.js';

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

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3
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
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))) {
    throw invalid('scopes must be scope tokens (RFC 6749 §3.3)');
  }
  return [...new Set(scopes as string[])];
}

/**
 * RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI … MUST NOT include a
 * fragment component." Custom schemes stay allowed for native apps (RFC 8252 §7.1).
 */
export function validateRedirectUris(uris: unknown): string[] {
  if (!Array.isArray(uris)) throw invalid('redirectUris must be a list');
  for (const uri of uris) {
    if (typeof uri !== 'string' || !isAbsoluteUri(uri))
      throw invalid('a redirect URI must be an absolute URL');
    if (uri.includes('#')) throw invalid('a redirect URI must not have a fragment');
    if (CONTROL.test(uri) || /\s/.test(uri))
      throw invalid('a redirect URI must not contain spaces or controls');
  }
  return [...new Set(uris as string[])];
}

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
