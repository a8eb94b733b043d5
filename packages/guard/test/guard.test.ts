import { generateKeyPair, generateSecret, sign } from '@sesame/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard, type Guard, GuardError } from '../src/index.js';
import { startTestIssuer, type TestIssuer } from './helpers/issuer.js';

let issuer: TestIssuer;
let guard: Guard;

beforeAll(async () => {
  issuer = await startTestIssuer();
  guard = createGuard({ issuer: issuer.issuer, audience: 'quiz-api' });
});
afterAll(async () => {
  guard.close();
  await issuer.close();
});

async function refusal(promise: Promise<unknown>): Promise<GuardError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GuardError) return error;
    throw error;
  }
  throw new Error('expected a GuardError');
}

const bearer = (token: string) => `Bearer ${token}`;

describe('authenticate: RFC 6750 §3 answers', () => {
  it('accepts a valid token and returns its claims', async () => {
    const claims = await guard.authenticate(bearer(issuer.token({ sub: 'u-7' })));
    expect(claims.sub).toBe('u-7');
    expect(claims.iss).toBe(issuer.issuer);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['no header values', []],
  ])('%s → 401 with a challenge and no error code', async (_name, header) => {
    const error = await refusal(guard.authenticate(header as string | undefined));
    expect(error.status).toBe(401);
    expect(error.error).toBeUndefined();
    expect(error.wwwAuthenticate).toBe('Bearer realm="quiz-api"');
    expect(error.toJSON()).toBeUndefined();
  });

  it.each([
    ['Bearer alone', 'Bearer'],
    ['Bearer and a space', 'Bearer '],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['characters outside b64token', 'Bearer abc$def'],
    ['a comma', 'Bearer abc,def'],
  ])('%s → 400 invalid_request', async (_name, header) => {
    const error = await refusal(guard.authenticate(header));
    expect(error.status).toBe(400);
    expect(error.error).toBe('invalid_request');
    expect(error.wwwAuthenticate).toMatch(
      /^Bearer realm="quiz-api", error="invalid_request", error_description="/,
    );
  });

  it('several Authorization values → 400 invalid_request', async () => {
    const token = issuer.token();
    const error = await refusal(guard.authenticate([bearer(token), bearer(token)]));
    expect([error.status, error.error]).toEqual([400, 'invalid_request']);
  });

  it('accepts the scheme in any case', async () => {
    await expect(guard.authenticate(`bEaReR ${issuer.token()}`)).resolves.toMatchObject({ sub: 'user-1' });
  });

  const invalid: [string, () => string][] = [
    ['a malformed token', () => 'abc.def'],
    ['a bad signature', () => issuer.token({}, { key: generateKeyPair('ES256', { kid: 'k1' }).privateKey })],
    [
      'an algorithm not allowed',
      () => issuer.token({}, { key: generateKeyPair('ES384', { kid: 'k1' }).privateKey }),
    ],
    ['typ JWT', () => issuer.token({}, { typ: 'JWT' })],
    ['no typ', () => issuer.token({}, { typ: null })],
    ['another issuer', () => issuer.token({ iss: 'https://evil.example' })],
    ['another audience', () => issuer.token({ aud: 'other-api' })],
    ['no exp', () => issuer.token({ exp: undefined })],
    ['nbf in the future', () => issuer.token({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['an unknown kid', () => issuer.token({}, { key: generateKeyPair('ES256', { kid: 'nope' }).privateKey })],
  ];
  it.each(invalid)('%s → 401 invalid_token', async (_name, make) => {
    const token = make();
    const error = await refusal(guard.authenticate(bearer(token)));
    expect(error.status).toBe(401);
    expect(error.error).toBe('invalid_token');
    expect(error.wwwAuthenticate).toBe(
      'Bearer realm="quiz-api", error="invalid_token", error_description="the access token is invalid"',
    );
    expect(`${error.message} ${error.wwwAuthenticate} ${JSON.stringify(error.toJSON())}`).not.toContain(
      token,
    );
  });

  it('an expired token → 401 invalid_token saying it expired', async () => {
    const error = await refusal(
      guard.authenticate(bearer(issuer.token({ exp: Math.floor(Date.now() / 1000) - 5 }))),
    );
    expect([error.status, error.error, error.reason]).toEqual([401, 'invalid_token', 'token_expired']);
    expect(error.wwwAuthenticate).toContain('error_description="the access token expired"');
  });

  it('clockTolerance accepts a token just expired, and only within it', async () => {
    const lenient = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', clockTolerance: 30 });
    const exp = Math.floor(Date.now() / 1000) - 5;
    await expect(lenient.authenticate(bearer(issuer.token({ exp })))).resolves.toBeTruthy();
    const error = await refusal(lenient.authenticate(bearer(issuer.token({ exp: exp - 60 }))));
    expect(error.reason).toBe('token_expired');
  });

  it('a token accepted once is refused after it expires (the verified-token memory checks time)', async () => {
    let now = Date.now();
    const clocked = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', now: () => now });
    const token = issuer.token({}, { expiresIn: 60 });
    await clocked.authenticate(bearer(token));
    await clocked.authenticate(bearer(token));
    now += 120_000;
    expect((await refusal(clocked.authenticate(bearer(token)))).reason).toBe('token_expired');
  });
});

describe('maxTokenAge: a token cannot claim a life longer than allowed', () => {
  const nowS = () => Math.floor(Date.now() / 1000);

  it('by default refuses exp 1e300, and a life (exp - iat) over 24 h; accepts 24 h', async () => {
    for (const claims of [
      { exp: 1e300 },
      { iat: nowS(), exp: nowS() + 86_400 + 60 },
      { iat: nowS() - 86_400, exp: nowS() + 120 }, // little left, but minted for 24 h + 2 min
    ]) {
      const error = await refusal(guard.authenticate(bearer(issuer.token(claims))));
      expect([error.status, error.reason], JSON.stringify(claims)).toEqual([401, 'token_invalid']);
      expect(error.wwwAuthenticate).toContain('too long a life');
    }
    await expect(
      guard.authenticate(bearer(issuer.token({ iat: nowS(), exp: nowS() + 86_400 }))),
    ).resolves.toBeTruthy();
  });

  it('is 30 days when typ is false (the classic profile), configurable, and can be turned off', async () => {
    const classic = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', typ: false });
    const week = issuer.token({ iat: nowS(), exp: nowS() + 7 * 86_400 });
    await expect(classic.authenticate(bearer(week))).resolves.toBeTruthy();
    expect((await refusal(classic.authenticate(bearer(issuer.token({ exp: 1e300 }))))).reason).toBe(
      'token_invalid',
    );
    const strict = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', maxTokenAge: 600 });
    expect((await refusal(strict.authenticate(bearer(issuer.token({}, { expiresIn: 3600 }))))).reason).toBe(
      'token_invalid',
    );
    const off = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', maxTokenAge: false });
    await expect(off.authenticate(bearer(issuer.token({ exp: 1e300 })))).resolves.toBeTruthy();
    expect(() => createGuard({ issuer: issuer.issuer, audience: 'quiz-api', maxTokenAge: -1 })).toThrow(
      /maxTokenAge/,
    );
    for (const g of [classic, strict, off]) g.close();
  });
});

describe('scopes', () => {
  it('a missing route scope → 403 insufficient_scope naming the scope', async () => {
    const error = await refusal(
      guard.authenticate(bearer(issuer.token({ scope: 'quiz' })), { scopes: 'admin' }),
    );
    expect([error.status, error.error]).toEqual([403, 'insufficient_scope']);
    expect(error.wwwAuthenticate).toMatch(/error="insufficient_scope", .*scope="admin"$/);
  });

  it('accepts the scope among several, and the classic scopes array', async () => {
    await expect(
      guard.authenticate(bearer(issuer.token({ scope: 'openid quiz admin' })), { scopes: ['admin', 'quiz'] }),
    ).resolves.toBeTruthy();
    await expect(
      guard.authenticate(bearer(issuer.token({ scope: undefined, scopes: ['admin'] })), { scopes: 'admin' }),
    ).resolves.toBeTruthy();
  });

  it('a scope claim of the wrong type grants nothing', async () => {
    const error = await refusal(
      guard.authenticate(bearer(issuer.token({ scope: ['admin'] })), { scopes: 'admin' }),
    );
    expect(error.status).toBe(403);
  });

  it('requiredScopes applies to every request', async () => {
    const strict = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', requiredScopes: 'quiz' });
    await expect(strict.authenticate(bearer(issuer.token({ scope: 'quiz' })))).resolves.toBeTruthy();
    const error = await refusal(strict.authenticate(bearer(issuer.token({ scope: 'admin' }))));
    expect(error.wwwAuthenticate).toContain('scope="quiz"');
  });
});

describe('key sources', () => {
  it('the classic HS256 profile with a local secret and typ JWT', async () => {
    const secret = generateSecret('HS256');
    const classic = createGuard({
      issuer: 'https://classic.example',
      audience: 'quiz-api',
      algorithms: ['HS256'],
      key: secret,
      typ: false,
    });
    const claims = { iss: 'https://classic.example', aud: 'quiz-api', sub: 'u1', scopes: ['quiz'] };
    const token = sign(claims, secret, { expiresIn: '7d' });
    await expect(classic.authenticate(bearer(token), { scopes: 'quiz' })).resolves.toMatchObject({
      sub: 'u1',
    });
    const forged = sign(claims, generateSecret('HS256'), { expiresIn: '7d' });
    expect((await refusal(classic.authenticate(bearer(forged)))).error).toBe('invalid_token');
    // typ is checked when asked for, even with a local key.
    const typed = createGuard({
      issuer: 'https://classic.example',
      audience: 'quiz-api',
      algorithms: ['HS256'],
      key: secret,
    });
    expect((await refusal(typed.authenticate(bearer(token)))).error).toBe('invalid_token');
  });

  it('a metadata document naming another issuer is refused (RFC 8414 §3.3) → 503', async () => {
    const other = await startTestIssuer();
    other.metadataIssuer = 'https://evil.example';
    const misled = createGuard({ issuer: other.issuer, audience: 'quiz-api' });
    const error = await refusal(misled.authenticate(bearer(other.token())));
    expect([error.status, error.error, error.retryAfter]).toEqual([503, 'temporarily_unavailable', 5]);
    expect(error.wwwAuthenticate).toBe('Bearer realm="quiz-api"');
    await other.close();
  });

  it('an explicit jwksUri skips discovery', async () => {
    const direct = createGuard({
      issuer: issuer.issuer,
      audience: 'quiz-api',
      jwksUri: issuer.url('/.well-known/jwks.json'),
    });
    const before = issuer.requests.filter((r) => r.path.includes('oauth-authorization-server')).length;
    await direct.authenticate(bearer(issuer.token()));
    expect(issuer.requests.filter((r) => r.path.includes('oauth-authorization-server')).length).toBe(before);
  });

  it('refuses bad options at creation', () => {
    expect(() => createGuard({ issuer: 'not a url', audience: 'a' })).toThrow(TypeError);
    expect(() => createGuard({ issuer: issuer.issuer, audience: [] })).toThrow(TypeError);
    expect(() =>
      createGuard({ issuer: issuer.issuer, audience: 'a', requiredScopes: ['bad"scope'] }),
    ).toThrow(TypeError);
  });
});

describe('the verified-token memory', () => {
  it('remembers only the exact text: claims changed under a remembered signature are refused', async () => {
    const token = issuer.token({ sub: 'u-cache', scope: 'quiz' });
    expect((await guard.authenticate(bearer(token))).sub).toBe('u-cache');
    // Same signature segment (the memory's key), another payload: must be verified, and fail.
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: 'quiz admin' })).toString('base64url')}.${signature}`;
    const error = await refusal(guard.authenticate(bearer(forged), { scopes: ['admin'] }));
    expect(error.status).toBe(401);
    expect(error.error).toBe('invalid_token');
    // The genuine token is still remembered and accepted.
    expect((await guard.authenticate(bearer(token))).sub).toBe('u-cache');
  });
});
