import type { JwtPayload } from '@sesame/jwt';
import { isScopeToken, ProtocolError, parseScope, validateScopes } from '@sesame/protocol';

/**
 * The scopes a token grants: RFC 9068 §2.2.3 `scope` (a scope string, RFC 6749 §3.3, parsed by
 * @sesame/protocol), or the classic profile's `scopes` array. A claim of the wrong type or outside
 * the grammar grants nothing.
 */
export function grantedScopes(payload: JwtPayload): ReadonlySet<string> {
  const { scope, scopes } = payload;
  const granted = new Set<string>();
  if (typeof scope === 'string') {
    try {
      for (const item of parseScope(scope)) granted.add(item);
    } catch {
      // A malformed scope claim grants nothing: fail closed.
    }
  }
  if (Array.isArray(scopes)) {
    for (const item of scopes) if (isScopeToken(item)) granted.add(item);
  }
  return granted;
}

/** The required scopes the token lacks (empty when it has them all). */
export function missingScopes(payload: JwtPayload, required: readonly string[]): string[] {
  if (required.length === 0) return [];
  const granted = grantedScopes(payload);
  return required.filter((item) => !granted.has(item));
}

/**
 * Normalises a scope option: a scope string "a b" (RFC 6749 §3.3) or a list ["a", "b"] → ["a", "b"];
 * anything outside the grammar is a configuration error.
 */
export function scopeList(value: string | readonly string[] | undefined, option: string): string[] {
  if (value === undefined) return [];
  try {
    return typeof value === 'string' ? parseScope(value) : validateScopes(value);
  } catch (error) {
    if (error instanceof ProtocolError)
      throw new TypeError(`${option} must hold scope tokens (RFC 6749 §3.3)`);
    throw error;
  }
}
