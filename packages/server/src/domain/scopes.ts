/**
 * Scopes as a grant or the authorize form reads them: the RFC 6749 §3.3 list, and the scopes a
 * request may be granted out of those allowed.
 */
import { parseScope as parseScopeString } from '@sesame/protocol';
import { OAuthError } from './errors.js';

/**
 * The scope parameter (RFC 6749 §3.3, @sesame/protocol's grammar: tokens separated by one space),
 * or invalid_scope. Duplicates are dropped, order is kept; absent stays undefined.
 */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  try {
    return parseScopeString(value);
  } catch {
    throw new OAuthError('invalid_scope', 'the scope is malformed');
  }
}

/**
 * The scopes granted: those asked for when all are allowed, or every allowed scope when none is
 * asked (RFC 6749 §3.3 lets the server pick a default).
 */
export function grantScopes(requested: string[] | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const refused = requested.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0) {
    throw new OAuthError('invalid_scope', `scope not allowed: ${refused.join(' ').slice(0, 200)}`);
  }
  return requested;
}
