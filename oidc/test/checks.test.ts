import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkIdToken, type Expected, halfHash } from '../lib/id-token.js';
import { type Module, ModuleRun, Stop } from '../lib/module.js';

/**
 * The suite's own checks, each seen failing: a conformance suite whose ID token check never fails
 * would pass any server. A token signed here by a local key stands for the server's; every test
 * changes one thing and expects exactly the check about that thing to fail.
 */
const MODULE: Module = {
  name: 'self-test',
  plan: 'Basic OP',
  checks: '',
  clients: 'once',
  run: async () => {},
};
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ISSUER = 'https://op.example';
const CLIENT = 'client-1';
const ACCESS_TOKEN = 'an-access-token';

async function jwk(key: typeof publicKey, kid: string): Promise<JWK> {
  return { ...(await exportJWK(key)), kid, alg: 'ES256', use: 'sig' };
}

async function expected(overrides: Partial<Expected> = {}): Promise<Expected> {
  return {
    issuer: ISSUER,
    clientId: CLIENT,
    jwks: { keys: [await jwk(publicKey, 'k1')] },
    algorithms: ['ES256'],
    nonce: 'n-1',
    accessToken: ACCESS_TOKEN,
    ...overrides,
  };
}

async function token(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key = privateKey,
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: ISSUER,
    aud: CLIENT,
    sub: 'user-1',
    nonce: 'n-1',
    at_hash: halfHash('ES256', ACCESS_TOKEN),
    iat: now,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT', ...header })
    .sign(key);
}

/** The checks that failed, by the start of their description after the label. */
async function failures(idToken: string, overrides: Partial<Expected> = {}): Promise<string[]> {
  const run = new ModuleRun(MODULE, 'test');
  try {
    await checkIdToken(run, idToken, await expected(overrides));
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  }
  return run.checks.filter((check) => !check.ok).map((check) => check.what.replace('ID token: ', ''));
}

describe('checkIdToken', () => {
  it('passes a genuine token, with every check recorded', async () => {
    const run = new ModuleRun(MODULE, 'test');
    await checkIdToken(run, await token(), await expected());
    expect(run.checks.length).toBeGreaterThanOrEqual(11);
    expect(run.checks.filter((check) => !check.ok)).toEqual([]);
    expect(run.verdict).toBe('PASSED');
  });

  it('fails a token signed by another key', async () => {
    expect(await failures(await token({}, {}, other.privateKey))).toEqual([
      'the signature verifies with that key',
    ]);
  });

  it('fails alg none and an algorithm discovery does not list', async () => {
    const [header, payload] = (await token()).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${payload}.`;
    expect((await failures(none))[0]).toMatch(/^alg none is advertised/);
    expect(await failures(await token(), { algorithms: ['RS256'] })).toEqual([
      'alg ES256 is advertised in id_token_signing_alg_values_supported, and is not none',
    ]);
    expect(header).toBeDefined();
  });

  it('fails a kid the JWKS does not publish', async () => {
    expect(await failures(await token({}, { kid: 'k2' }))).toEqual([
      'kid names a key published at jwks_uri (Core §10.1)',
    ]);
  });

  it('fails a wrong iss, aud, sub', async () => {
    expect(await failures(await token({ iss: 'https://evil.example' }))).toEqual(['iss is the issuer']);
    expect(await failures(await token({ aud: 'client-2' }))).toEqual(['aud contains the client_id']);
    expect(await failures(await token({ aud: [CLIENT, 'client-2'], azp: 'client-2' }))).toEqual([
      'azp is the client_id (several audiences)',
    ]);
    expect(await failures(await token({ sub: '' }))).toEqual(['sub is 1 to 255 ASCII characters (Core §2)']);
  });

  it('fails an expired token and one issued in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await failures(await token({ exp: now - 3600 }))).toEqual(['exp is a number in the future']);
    expect(await failures(await token({ iat: now + 3600 }))).toEqual(['iat is a number, not in the future']);
    expect(await failures(await token({ auth_time: now + 3600 }))).toEqual([
      'auth_time is a number, not in the future',
    ]);
  });

  it('fails a wrong nonce, and a nonce when none was sent', async () => {
    expect(await failures(await token({ nonce: 'n-2' }))).toEqual(['nonce is the one sent']);
    expect(await failures(await token(), { nonce: undefined })).toEqual(['no nonce, as none was sent']);
  });

  it('fails an at_hash of another access token', async () => {
    expect(await failures(await token({ at_hash: halfHash('ES256', 'another-token') }))).toEqual([
      'at_hash matches the access token (Core §3.1.3.6)',
    ]);
  });

  it('fails, and stops at, a token that is not a JWS', async () => {
    expect(await failures('not-a-jwt')).toEqual([
      'a JWS compact serialization with a JSON header and claims',
    ]);
  });
});

describe('ModuleRun verdicts', () => {
  it('a module that checked nothing fails', () => {
    expect(new ModuleRun(MODULE, 'test').verdict).toBe('FAILED');
  });

  it('one failed check fails the module, even a skipped one', () => {
    const run = new ModuleRun(MODULE, 'test');
    run.check('a', true);
    run.check('b', false, 'seen');
    run.skipped = 'reason';
    expect(run.verdict).toBe('FAILED');
  });

  it('require stops the module', () => {
    const run = new ModuleRun(MODULE, 'test');
    expect(() => run.require('c', false)).toThrow(Stop);
    expect(run.verdict).toBe('FAILED');
  });

  it('skipped with only passed checks is SKIPPED; passed checks alone are PASSED', () => {
    const run = new ModuleRun(MODULE, 'test');
    run.check('a', true);
    expect(run.verdict).toBe('PASSED');
    run.skipped = 'the OIDF rule';
    expect(run.verdict).toBe('SKIPPED');
  });
});
