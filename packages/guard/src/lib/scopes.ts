import type { JwtPayload } from '@sesame/jwt';

/**
 * The scopes a token grants: RFC 9068 §2.2.3 `scope` (space-separated, RFC 6749 §3.3), or the
 * classic profile's `scopes` array. A claim of the wrong type grants nothing.
 */
export function grantedScopes(payload: JwtPayload): ReadonlySet<string> {
  const { scope, scopes } = payload;
  const granted = new Set<string>();
  if (typeof scope === 'string') {
    for (const item of scope.split(' ')) if (item !== '') granted.add(item);
  }
  if (Array.isArray(scopes)) {
    for (const item of scopes) if (typeof item === 'string' && item !== '') granted.add(item);
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
 * Normalises a scope option: "a b" or ["a", "b"] → ["a", "b"]. Scope tokens are
 * `1*( %x21 / %x23-5B / %x5D-7E )` (RFC 6749 §3.3); anything else is a configuration error.
 */
export function scopeList(value: string | readonly string[] | undefined, option: string): string[] {
  if (value === undefined) return [];
  const items = typeof value === 'string' ? value.split(' ').filter((item) => item !== '') : [...value];
  for (const item of items) {
    if (typeof item !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(item)) {
      throw new TypeError(`${option} must hold scope tokens (RFC 6749 §3.3)`);
    }
  }
  return items;
}
