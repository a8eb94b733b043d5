import { ProtocolError } from './errors.js';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
/** RFC 6749 §3.3: scope = scope-token *( SP scope-token ). */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * Whether `value` is one scope token (RFC 6749 §3.3): printable ASCII without space, `"` and `\`.
 *
 * @example isScopeToken('quiz:read') // true; isScopeToken('a b') // false
 */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}

/**
 * Parses a scope string (RFC 6749 §3.3): tokens separated by exactly one space, none before the
 * first or after the last. The empty string is the empty list (a `scope=` parameter that asks for
 * nothing). Repeated tokens are dropped, order is kept ("the order does not matter"). Anything else,
 * including two spaces in a row or a leading or trailing space, is `ERR_SCOPE_MALFORMED`.
 *
 * @example parseScope('openid quiz') // ['openid', 'quiz']
 */
export function parseScope(value: string): string[] {
  if (value === '') return [];
  if (typeof value !== 'string' || !SCOPE.test(value)) {
    throw new ProtocolError(
      'ERR_SCOPE_MALFORMED',
      'the scope is not space-separated scope tokens (RFC 6749 §3.3)',
    );
  }
  return [...new Set(value.split(' '))];
}

/**
 * Checks a list of scope tokens (as configured, or given to an admin API or the CLI) and returns
 * it without repeats; `ERR_SCOPE_MALFORMED` when an item is not a scope token.
 *
 * @example validateScopes(['openid', 'quiz']) // ['openid', 'quiz']
 */
export function validateScopes(values: readonly unknown[]): string[] {
  if (!Array.isArray(values)) throw new ProtocolError('ERR_SCOPE_MALFORMED', 'the scopes are not a list');
  for (const value of values) {
    if (!isScopeToken(value)) {
      throw new ProtocolError('ERR_SCOPE_MALFORMED', 'a scope is not a scope token (RFC 6749 §3.3)');
    }
  }
  return [...new Set(values as string[])];
}

/**
 * The scope string of a list of scope tokens (RFC 6749 §3.3), checked.
 *
 * @example formatScope(['openid', 'quiz']) // 'openid quiz'
 */
export function formatScope(values: readonly unknown[]): string {
  return validateScopes(values).join(' ');
}
