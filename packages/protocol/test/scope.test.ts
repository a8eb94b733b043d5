import { describe, expect, it } from 'vitest';
import { formatScope, isScopeToken, ProtocolError, parseScope, validateScopes } from '../src/index.js';
import { scopeTable, scopeTokenTable } from './tables/scope.js';

describe('the scope rule (RFC 6749 §3.3), through the protocol', () => {
  it.each(scopeTable)('%s', (_name, scope, expected) => {
    if (expected === null) {
      expect(() => parseScope(scope)).toThrow(expect.objectContaining({ code: 'ERR_SCOPE_MALFORMED' }));
    } else {
      expect(parseScope(scope)).toEqual(expected);
    }
  });

  it.each(scopeTokenTable)('scope token: %s', (_name, token, valid) => {
    expect(isScopeToken(token)).toBe(valid);
    if (valid) expect(validateScopes([token])).toEqual([token]);
    else expect(() => validateScopes(['ok', token])).toThrow(ProtocolError);
  });

  it('formats a list and refuses what it cannot format', () => {
    expect(formatScope(['openid', 'quiz', 'openid'])).toBe('openid quiz');
    expect(formatScope([])).toBe('');
    expect(() => formatScope(['a b'])).toThrow(ProtocolError);
    expect(() => validateScopes([1] as unknown[])).toThrow(ProtocolError);
    expect(isScopeToken(undefined)).toBe(false);
  });
});
