/**
 * A real client no one here wrote — openid-client 6 with `PrivateKeyJwt` — against the real
 * `sesame serve` process: client credentials, and the authorization code flow with a refresh, every
 * token request authenticated by an ES256 assertion. One client registers its public JWK Set from a
 * file (`clients add --auth private_key_jwt --jwks FILE`), another by URL (`--jwks-uri`), served by
 * a local listener: the deployment turns on `jwksUriAllowPrivate` to let a loopback URL through,
 * as a development set-up would.
 */
import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIRECT = 'http://127.0.0.1:9/callback';
const ALICE = { username: 'alice', password: 'alice password 1' };
const env = { ...process.env, SESAME_LOG_LEVEL: 'warn', SESAME_JWKS_URI_ALLOW_PRIVATE: 'true' };

let server: Started;
let keysServer: Server;
let keysHits = 0;
let base: string;
const ids: Record<'file' | 'uri', string> = { file: '', uri: '' };
const keys: Record<'file' | 'uri', webcrypto.CryptoKeyPair> = {} as never;

async function keyPair(
  kid: string,
): Promise<{ pair: webcrypto.CryptoKeyPair; jwk: Record<string, unknown> }> {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const jwk = { ...(await webcrypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
  delete (jwk as { key_ops?: unknown }).key_ops;
  delete (jwk as { ext?: unknown }).ext;
  return { pair, jwk };
}

beforeAll(async () => {
  const dataDir = tempDir('sesame-pkjwt-');
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

  const fileKey = await keyPair('file-1');
  keys.file = fileKey.pair;
  const jwksFile = join(dataDir, 'client-jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [fileKey.jwk] }));
  const added = await sesame([
    ...['clients', 'add', 'Signing web app', '--auth', 'private_key_jwt', '--jwks', jwksFile],
    ...['--grant', 'authorization_code,refresh_token,client_credentials', '--scopes', 'openid quiz'],
    ...['--redirect-uri', REDIRECT, '--json'],
  ]);
  const made = JSON.parse(added);
  expect(made.client_secret).toBeNull();
  ids.file = made.client_id;

  const uriKey = await keyPair('uri-1');
  keys.uri = uriKey.pair;
  keysServer = createServer((_request, response) => {
    keysHits++;
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [uriKey.jwk] }));
  });
  await new Promise<void>((done) => keysServer.listen(0, '127.0.0.1', done));
  const jwksUri = `http://127.0.0.1:${(keysServer.address() as AddressInfo).port}/jwks`;
  ids.uri = JSON.parse(
    await sesame([
      ...['clients', 'add', 'Signing job', '--auth', 'private_key_jwt', '--jwks-uri', jwksUri],
      ...['--grant', 'client_credentials', '--scopes', 'quiz', '--json'],
    ]),
  ).client_id;

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startSesame({ port, dataDir, env, cleanEnv: true });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  keysServer?.close();
});

const configure = (which: 'file' | 'uri') =>
  client.discovery(
    new URL(base),
    ids[which],
    { id_token_signed_response_alg: 'ES256' },
    client.PrivateKeyJwt(keys[which].privateKey),
    { execute: [client.allowInsecureRequests] },
  );

describe('private_key_jwt with openid-client (real process)', { timeout: 120_000 }, () => {
  it('discovery advertises private_key_jwt; client credentials work with keys from a file and from a jwks_uri', async () => {
    const config = await configure('file');
    expect(config.serverMetadata().token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    const fromFile = await client.clientCredentialsGrant(config, { scope: 'quiz' });
    expect(fromFile.token_type).toBe('bearer');
    expect(fromFile.access_token).toBeTruthy();

    const fromUri = await client.clientCredentialsGrant(await configure('uri'), { scope: 'quiz' });
    expect(fromUri.access_token).toBeTruthy();
    expect(keysHits).toBeGreaterThanOrEqual(1);
    // Cached: a second assertion does not fetch the key set again.
    const hits = keysHits;
    await client.clientCredentialsGrant(await configure('uri'), { scope: 'quiz' });
    expect(keysHits).toBe(hits);
  });

  it('the authorization code flow and a refresh, each token request signed', async () => {
    const config = await configure('file');
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      state: 'pkjwt',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const { back } = await signInAndConsent(new Browser(base), url.href, ALICE);
    const tokens = await client.authorizationCodeGrant(config, new URL(back.location!), {
      pkceCodeVerifier: verifier,
      expectedState: 'pkjwt',
    });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.claims()?.sub).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
  });

  it('with DPoP too: the signed client gets a token bound to its DPoP key', async () => {
    const config = await configure('file');
    const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const bound = await client.clientCredentialsGrant(config, { scope: 'quiz' }, { DPoP });
    expect(bound.token_type).toBe('dpop');
  });

  it("a key that is not the client's is refused invalid_client", async () => {
    const wrongKey = client.discovery(
      new URL(base),
      ids.file,
      {},
      client.PrivateKeyJwt(keys.uri.privateKey),
      { execute: [client.allowInsecureRequests] },
    );
    await expect(client.clientCredentialsGrant(await wrongKey, { scope: 'quiz' })).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });
});
