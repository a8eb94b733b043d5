/**
 * ID tokens as two outside libraries verify them against the running `sesame serve`: jose
 * (createRemoteJWKSet on the JWKS URL) and Debian's python3-jwt (PyJWT's PyJWKClient, run by
 * /usr/bin/python3), for a client that takes the server's ES256 and one registered with
 * `--id-token-alg RS256` (OpenID Connect Discovery §3 requires RS256 be offered). The data dir is an
 * older one, migrated to 008 with ES256 keys only: the server adds its RS256 keys on start and keeps
 * the others. Negative: each library refuses the token for another client's audience, or under the
 * other algorithm.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  authorizeUrl,
  Browser,
  type CliClient,
  pkce,
  type Started,
  signInAndConsent,
  startDeployment,
  tempDir,
} from '@sesame/testkit';
import Database from 'better-sqlite3';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { newSigningKey } from '../../src/domain/keys/generate.js';
import { identityKeyCipher } from '../../src/domain/keys/key-cipher.js';
import { migrationsFor } from '../../src/store/migrations/index.js';

const PYTHON = '/usr/bin/python3';
const REDIRECT = 'http://127.0.0.1:9/callback';
const ALICE = { username: 'alice', password: 'alice password 1' };

/** Debian's python3-jwt with its crypto backend, when installed (CI installs it: .ci/run). */
function pythonJwtMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import jwt, cryptography; jwt.PyJWKClient'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `${PYTHON} -c "import jwt" failed: install python3-jwt`;
  return undefined;
}

/** PyJWT as a relying party: the key by kid from the JWKS URL, then signature, alg, aud and iss. */
const PYJWT_SCRIPT = [
  'import json, sys, jwt',
  'token, jwks_url, alg, audience, issuer = sys.stdin.read().split("\\n")[:5]',
  'key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token).key',
  'claims = jwt.decode(token, key, algorithms=[alg], audience=audience, issuer=issuer)',
  'print(json.dumps(claims))',
].join('\n');

function pyjwt(token: string, jwksUrl: string, alg: string, audience: string, issuer: string) {
  return spawnSync(PYTHON, ['-c', PYJWT_SCRIPT], {
    input: [token, jwksUrl, alg, audience, issuer].join('\n'),
    encoding: 'utf8',
  });
}

/** A data dir as Sesame left it before RS256: the schema up to 008, one current and one next ES256 key. */
async function olderDataDir(): Promise<{ dir: string; kids: string[] }> {
  const dir = tempDir('sesame-oidc-keys-');
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new Database(join(dir, 'sesame.db')) }),
  });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrationsFor('sqlite') } });
  const { error } = await migrator.migrateTo('008_client_registration');
  if (error) throw error;
  const kids: string[] = [];
  for (const state of ['current', 'next'] as const) {
    const key = await newSigningKey('ES256', identityKeyCipher, Date.now());
    kids.push(key.kid);
    await (db as Kysely<{ signing_keys: Record<string, unknown> }>)
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        alg: key.alg,
        private_jwk: key.privateJwk,
        public_jwk: key.publicJwk,
        state,
        created_at: key.createdAt,
        activated_at: state === 'current' ? key.createdAt : null,
        retired_at: null,
        expires_at: null,
      })
      .execute();
  }
  await db.destroy();
  return { dir, kids };
}

const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
});

describe('ID tokens verified by jose and PyJWT (real process)', { timeout: 120_000 }, () => {
  it('ES256 and RS256 clients: both libraries accept their own, refuse another audience or algorithm', async (context) => {
    const missing = pythonJwtMissing();
    if (missing) {
      console.log(`skipped: ${missing}`);
      context.skip();
    }
    const { dir, kids: esKids } = await olderDataDir();
    const client = (alg: 'ES256' | 'RS256') => ({
      name: `web ${alg}`,
      grants: 'authorization_code',
      scopes: 'openid',
      redirectUri: REDIRECT,
      ...(alg === 'RS256' ? { args: ['--id-token-alg', 'RS256'] } : {}),
    });
    const deployment = await startDeployment({
      dataDir: dir,
      user: { ...ALICE, scopes: 'openid' },
      client: client('ES256'),
    });
    running.push(deployment.server);
    const issuer = deployment.base;
    const jwksUrl = `${issuer}/.well-known/jwks.json`;
    const clients: Record<'ES256' | 'RS256', CliClient> = {
      ES256: deployment.client,
      RS256: await deployment.addClient(client('RS256')),
    };

    // On start the older data dir got RS256 keys; its ES256 keys are kept, all published.
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys.filter((key) => key.alg === 'ES256').map((key) => key.kid)).toEqual(esKids);
    expect(jwks.keys.filter((key) => key.alg === 'RS256')).toHaveLength(2);
    for (const key of jwks.keys) expect(key).toMatchObject({ use: 'sig' });
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.id_token_signing_alg_values_supported).toEqual(['ES256', 'RS256']);

    /** The code flow for one client, its token request authenticated with client_secret_basic. */
    const idTokenOf = async (client: CliClient) => {
      const { verifier, challenge } = pkce();
      const url = authorizeUrl({
        response_type: 'code',
        client_id: client.id,
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 's',
        nonce: 'n',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const { back } = await signInAndConsent(new Browser(issuer), url, ALICE);
      const code = new URL(back.location!).searchParams.get('code')!;
      const response = await fetch(`${issuer}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret ?? ''}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: REDIRECT,
        }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { id_token: string }).id_token;
    };

    const remote = createRemoteJWKSet(new URL(jwksUrl));
    const tokens = { ES256: await idTokenOf(clients.ES256), RS256: await idTokenOf(clients.RS256) };
    for (const alg of ['ES256', 'RS256'] as const) {
      const token = tokens[alg];
      const other = alg === 'ES256' ? 'RS256' : 'ES256';
      expect(decodeProtectedHeader(token).alg).toBe(alg);
      const audience = clients[alg].id;
      const { payload } = await jwtVerify(token, remote, { issuer, audience, algorithms: [alg] });
      expect(payload).toMatchObject({ iss: issuer, aud: audience, nonce: 'n' });
      await expect(
        jwtVerify(token, remote, { issuer, audience: clients[other].id, algorithms: [alg] }),
      ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
      await expect(jwtVerify(token, remote, { issuer, audience, algorithms: [other] })).rejects.toMatchObject(
        {
          code: 'ERR_JOSE_ALG_NOT_ALLOWED',
        },
      );

      const accepted = pyjwt(token, jwksUrl, alg, audience, issuer);
      expect(accepted.status, accepted.stderr).toBe(0);
      expect(JSON.parse(accepted.stdout)).toMatchObject({ iss: issuer, aud: audience, sub: payload.sub });
      const wrongAudience = pyjwt(token, jwksUrl, alg, clients[other].id, issuer);
      expect(wrongAudience.status).not.toBe(0);
      expect(wrongAudience.stderr).toMatch(/InvalidAudienceError/);
      const wrongIssuer = pyjwt(token, jwksUrl, alg, audience, 'http://127.0.0.1:1');
      expect(wrongIssuer.stderr).toMatch(/InvalidIssuerError/);
      const wrongAlgorithm = pyjwt(token, jwksUrl, other, audience, issuer);
      expect(wrongAlgorithm.stderr).toMatch(/InvalidAlgorithmError/);
    }
  });
});
