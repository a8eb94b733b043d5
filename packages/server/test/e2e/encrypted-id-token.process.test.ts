/**
 * Encrypted ID tokens and /userinfo from the real `sesame serve` process, opened by clients no one
 * here wrote: openid-client 6 (`enableDecryptingResponses`) runs the code flow and a refresh,
 * decrypting each ID token and verifying the inner one, and fetches /userinfo signed and encrypted;
 * Python's jwcrypto (Debian's python3-jwcrypto) decrypts an ID token with the client's private JWK
 * and verifies the nested JWS against the server's JWKS. The client is registered by the CLI
 * (`clients add --jwks FILE --id-token-encryption … --userinfo-signing … --userinfo-encryption …`).
 */
import { spawnSync } from 'node:child_process';
import type { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Browser,
  freePort,
  runSesame,
  type Started,
  signInAndConsent,
  startSesame,
  tempDir,
} from '@sesame/testkit';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIRECT = 'http://127.0.0.1:9/callback';
const ALICE = { username: 'alice', password: 'alice password 1' };
const env = { ...process.env, SESAME_LOG_LEVEL: 'warn' };
const PYTHON = '/usr/bin/python3';

let server: Started;
let dataDir: string;
let base: string;
let clientId = '';
let clientSecret = '';
let privateKey: webcrypto.CryptoKey;
let privateJwk: JWK;

beforeAll(async () => {
  dataDir = tempDir('sesame-jwe-');
  const store = ['--data-dir', dataDir];
  const sesame = async (args: string[], input = '') => {
    const result = await runSesame([...args, ...store], { env, cleanEnv: true, stdin: input });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  await sesame(
    ['users', 'add', ALICE.username, '--password-stdin', '--scopes', 'openid quiz'],
    `${ALICE.password}\n`,
  );
  const pair = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  privateKey = pair.privateKey;
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'rp-enc', alg: 'RSA-OAEP-256' };
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'rp-enc', use: 'enc', alg: 'RSA-OAEP-256' };
  const jwksFile = join(dataDir, 'client-jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [publicJwk] }));
  const made = JSON.parse(
    await sesame([
      ...['clients', 'add', 'Encrypting web app', '--jwks', jwksFile],
      ...['--id-token-encryption', 'RSA-OAEP-256', '--id-token-encryption-enc', 'A256GCM'],
      ...['--userinfo-signing', 'ES256', '--userinfo-encryption', 'RSA-OAEP-256'],
      ...['--grant', 'authorization_code,refresh_token', '--scopes', 'openid quiz'],
      ...['--redirect-uri', REDIRECT, '--json'],
    ]),
  );
  clientId = made.client_id;
  clientSecret = made.client_secret;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startSesame({ port, dataDir, env, cleanEnv: true });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function configure() {
  const config = await client.discovery(
    new URL(base),
    clientId,
    {
      client_secret: clientSecret,
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: 'ES256',
    },
    undefined,
    { execute: [client.allowInsecureRequests] },
  );
  // Content encryption allowed: the ID tokens' A256GCM and /userinfo's default A128CBC-HS256.
  client.enableDecryptingResponses(config, ['A256GCM', 'A128CBC-HS256'], {
    key: privateKey,
    kid: 'rp-enc',
    alg: 'RSA-OAEP-256',
  });
  return config;
}

async function codeFlow(config: client.Configuration) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'jwe',
    nonce: 'jwe-nonce',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const { back } = await signInAndConsent(new Browser(base), url.href, ALICE);
  return client.authorizationCodeGrant(config, new URL(back.location!), {
    pkceCodeVerifier: verifier,
    expectedState: 'jwe',
    expectedNonce: 'jwe-nonce',
  });
}

describe('encrypted ID tokens and /userinfo (real process)', { timeout: 120_000 }, () => {
  it('openid-client decrypts and verifies the ID token of the code flow and of a refresh, and /userinfo', async () => {
    const config = await configure();
    expect(config.serverMetadata().id_token_encryption_alg_values_supported).toContain('RSA-OAEP-256');
    const tokens = await codeFlow(config);
    expect(tokens.id_token!.split('.')).toHaveLength(5);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ aud: clientId, nonce: 'jwe-nonce', iss: base });
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.id_token!.split('.')).toHaveLength(5);
    expect(refreshed.claims()!.sub).toBe(claims.sub);
    const userinfo = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, username: 'alice', aud: clientId });
  });

  it('without the key, openid-client refuses the encrypted ID token', async () => {
    const config = await client.discovery(
      new URL(base),
      clientId,
      { client_secret: clientSecret, id_token_signed_response_alg: 'ES256' },
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    await expect(codeFlow(config)).rejects.toThrow();
  });

  it('python3-jwcrypto decrypts the ID token with the private JWK and verifies the inner JWS', async (context) => {
    const probe = spawnSync(PYTHON, ['-c', 'import jwcrypto.jwe'], { encoding: 'utf8' });
    if (probe.status !== 0)
      context.skip(`${PYTHON} -c "import jwcrypto.jwe" failed: install python3-jwcrypto`);
    const tokens = await codeFlow(await configure());
    const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
    const script = `
import json, sys
from jwcrypto import jwk, jwe, jws
case = json.load(sys.stdin)
outer = jwe.JWE()
outer.allowed_algs = ['RSA-OAEP-256', 'A256GCM']
outer.deserialize(case['token'], key=jwk.JWK(**case['private']))
inner = jws.JWS()
inner.deserialize(outer.payload.decode())
inner.allowed_algs = ['ES256']
keys = jwk.JWKSet.from_json(json.dumps(case['jwks']))
inner.verify(keys.get_key(inner.jose_header['kid']))
print(json.dumps({'header': outer.jose_header, 'claims': json.loads(inner.payload)}))
`;
    const run = spawnSync(PYTHON, ['-c', script], {
      input: JSON.stringify({ token: tokens.id_token, private: privateJwk, jwks }),
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'rp-enc' });
    expect(out.claims).toMatchObject({ aud: clientId, iss: base, nonce: 'jwe-nonce' });
  });

  it('the CLI refuses a setting it cannot honour in one line, and clears one with none', async () => {
    const run = (args: string[]) => runSesame([...args, '--data-dir', dataDir], { env, cleanEnv: true });
    const refusedAdd = await run([
      ...['clients', 'add', 'No keys', '--grant', 'authorization_code', '--redirect-uri', REDIRECT],
      ...['--id-token-encryption', 'RSA-OAEP'],
    ]);
    expect(refusedAdd.code).not.toBe(0);
    expect(refusedAdd.stderr.trim().split('\n')).toHaveLength(1);
    expect(refusedAdd.stderr).toMatch(/needs the client's public keys/);
    const rsa15 = await run(['clients', 'set', clientId, '--id-token-encryption', 'RSA1_5']);
    expect(rsa15.code).not.toBe(0);
    expect(rsa15.stderr.trim().split('\n')).toHaveLength(1);
    expect(rsa15.stderr).toMatch(/RSA1_5.*is not offered/);
    const cleared = await run(['clients', 'set', clientId, '--userinfo-encryption', 'none']);
    expect(cleared.code, cleared.stderr).toBe(0);
    const listed = JSON.parse((await run(['clients', 'list', '--json'])).stdout);
    expect(listed.find((c: { clientId: string }) => c.clientId === clientId)).toMatchObject({
      idTokenEncryptedResponseAlg: 'RSA-OAEP-256',
      userinfoEncryptedResponseAlg: null,
      userinfoEncryptedResponseEnc: null,
    });
  });
});
