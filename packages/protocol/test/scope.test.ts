import type { GuardError } from '@sesame/guard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScope, isScopeToken, ProtocolError, parseScope, validateScopes } from '../src/index.js';
import { guardToken, type Server, startGuard, startServer } from './agreement/entry-points.js';
import { scopeTable, scopeTokenTable } from './tables/scope.js';

/**
 * THE scope string rule (RFC 6749 §3.3), one table through three entry points: the protocol's
 * parseScope, the server's token endpoint (the scope parameter) and the guard (its scope options
 * and a token's scope claim).
 */

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

describe('the scope rule, through the server (POST /oauth/token scope=...)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it.each(scopeTable)('%s', async (_name, scope, expected) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: server.feedClient.id,
        client_secret: server.feedClient.secret,
        scope,
      }).toString(),
    });
    const body = response.json() as { error?: string; error_description?: string; scope?: string };
    // Malformed is refused before the client's allowed scopes are looked at (control characters
    // already by the parameter reader, as invalid_request); a well-formed scope the client may not
    // have is refused by name instead.
    const malformed =
      (body.error === 'invalid_scope' && body.error_description === 'the scope is malformed') ||
      (body.error === 'invalid_request' && /scope/.test(body.error_description ?? ''));
    expect(malformed).toBe(expected === null);
    if (expected?.every((item) => item === 'openid')) expect(response.statusCode).toBe(200);
  });
});

describe('the scope rule, through the guard', () => {
  const guard = startGuard();
  afterAll(() => guard.close());

  it.each(scopeTable)('%s', async (_name, scope, expected) => {
    const token = `Bearer ${guardToken({ scope })}`;
    if (expected === null) {
      // As an option: a configuration error.
      expect(() => startGuard({ requiredScopes: scope })).toThrow(TypeError);
      await expect(guard.authenticate(token, { scopes: scope })).rejects.toThrow(TypeError);
      // As a token's claim: it grants nothing, not even the well-formed pieces.
      const piece = scope.split(/[ \t]+/).find(isScopeToken);
      if (piece !== undefined) {
        const refusal = await guard
          .authenticate(token, { scopes: piece })
          .catch((error: GuardError) => error.reason);
        expect(refusal).toBe('insufficient_scope');
      }
    } else {
      const claims = await guard.authenticate(token, { scopes: scope });
      expect(claims.scope).toBe(scope);
      startGuard({ requiredScopes: scope }).close();
    }
  });
});
