/**
 * Dynamic client registration against the real `sesame serve` process, by a client no one here
 * wrote: openid-client 6's `dynamicClientRegistration` registers with an initial access token made
 * by `sesame registration token create`, then runs the authorization code flow with PKCE and a
 * refresh as the client it registered — a confidential one (client_secret_post, ID tokens in the
 * RS256 it asked for) and a public one (none). The registration access token then reads and
 * deletes the client (RFC 7592), after which its credentials are refused.
 */
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
const env = { ...process.env, SESAME_LOG_LEVEL: 'warn', SESAME_REGISTRATION: 'token' };

let server: Started;
let base: string;
let initialAccessToken: string;

beforeAll(async () => {
  const dataDir = tempDir('sesame-dcr-');
  const store = ['--data-dir', dataDir];
  const sesame = async (args: string[], input = '') => {
    const result = await runSesame([...args, ...store], { env, cleanEnv: true, stdin: input });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  await sesame(
    ['users', 'add', ALICE.username, '--password-stdin', '--scopes', 'openid'],
    `${ALICE.password}\n`,
  );
  const made = JSON.parse(
    await sesame(['registration', 'token', 'create', '--label', 'openid-client', '--uses', '2', '--json']),
  );
  expect(made.usesLeft).toBe(2);
  initialAccessToken = made.token;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // A loaded machine may take a while to start two workers: wait for readiness, not a fixed time.
  server = await startSesame({ port, dataDir, env, cleanEnv: true, timeoutMs: 120_000 });
}, 240_000);
afterAll(() => server?.stop());

const options = () => ({ initialAccessToken, execute: [client.allowInsecureRequests] });

/** Signs alice in for `config`'s client and exchanges the code with PKCE. */
async function codeFlow(config: client.Configuration) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'dcr',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const { back } = await signInAndConsent(new Browser(base), url.href, ALICE);
  return client.authorizationCodeGrant(config, new URL(back.location!), {
    pkceCodeVerifier: verifier,
    expectedState: 'dcr',
  });
}

describe('dynamic client registration with openid-client (real process)', { timeout: 120_000 }, () => {
  it('discovery names the registration endpoint; without the initial access token registration is refused', async () => {
    const metadata = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata.registration_endpoint).toBe(`${base}/oauth/register`);
    await expect(
      client.dynamicClientRegistration(new URL(base), { redirect_uris: [REDIRECT] }, undefined, {
        execute: [client.allowInsecureRequests],
      }),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('a confidential client registers, runs the code flow with PKCE, refreshes, and is deleted by its registration token', async () => {
    const config = await client.dynamicClientRegistration(
      new URL(base),
      {
        client_name: 'Registered web app',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
        scope: 'openid',
      },
      undefined,
      options(),
    );
    const registered = config.clientMetadata();
    expect(registered.client_secret).toBeTruthy();
    const tokens = await codeFlow(config);
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.claims()?.aud).toBe(registered.client_id);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);

    const at = registered.registration_client_uri as string;
    const bearer = { authorization: `Bearer ${registered.registration_access_token as string}` };
    const read = await fetch(at, { headers: bearer });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { client_name: string }).client_name).toBe('Registered web app');
    expect((await fetch(at, { method: 'DELETE', headers: bearer })).status).toBe(204);
    // Its sessions ended with it (invalid_grant), and its credentials are refused (a 401 with a
    // Basic challenge, which openid-client reports by status) once the worker that answers has
    // forgotten the client (a second at most).
    const after = (await client.refreshTokenGrant(config, refreshed.refresh_token!).catch((e) => e)) as {
      error?: string;
      status?: number;
    };
    expect(after.error === 'invalid_grant' || after.status === 401, JSON.stringify(after)).toBe(true);
  });

  it('a public client (none) registers and runs the code flow with PKCE; the token has no use left after', async () => {
    const config = await client.dynamicClientRegistration(
      new URL(base),
      {
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'RS256',
      },
      undefined,
      options(),
    );
    expect(config.clientMetadata().client_secret).toBeUndefined();
    const tokens = await codeFlow(config);
    expect(tokens.access_token).toBeTruthy();
    // The token was made for two registrations: both are spent.
    await expect(
      client.dynamicClientRegistration(new URL(base), { redirect_uris: [REDIRECT] }, undefined, options()),
    ).rejects.toMatchObject({ status: 401 });
  });
});
