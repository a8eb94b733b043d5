/**
 * DPoP end to end with a client no one here wrote — oauth4webapi — against the real `sesame serve`
 * process with server nonces on (`SESAME_DPOP_NONCE`): client credentials for a client registered
 * with `--require-dpop`, the authorization code flow with `dpop_jkt` and a refresh, each token bound
 * to the client's key; the bound tokens then call an Express API behind @sesame/guard (with `dpop`)
 * through oauth4webapi's protectedResourceRequest, and are refused there as Bearer.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, type Guard } from '@sesame/guard';
import { expressGuard } from '@sesame/guard/express';
import {
  Browser,
  freePort,
  runSesame,
  type Started,
  signInAndConsent,
  startSesame,
  tempDir,
} from '@sesame/testkit';
import express from 'express';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIRECT = 'http://127.0.0.1:9/callback';
const ALICE = { username: 'alice', password: 'alice password 1' };
const env = { ...process.env, SESAME_LOG_LEVEL: 'warn', SESAME_DPOP_NONCE: 'true' };
const insecure = { [oauth.allowInsecureRequests]: true };

let server: Started;
let api: Server;
let guard: Guard;
let apiUrl: string;
let as: oauth.AuthorizationServer;
const clients = { job: { id: '', secret: '' }, web: { id: '', secret: '' } };

beforeAll(async () => {
  const dataDir = tempDir('sesame-dpop-');
  const sesame = async (args: string[], input = '') => {
    const result = await runSesame([...args, '--data-dir', dataDir], { env, cleanEnv: true, stdin: input });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  await sesame(
    ['users', 'add', ALICE.username, '--password-stdin', '--scopes', 'openid quiz'],
    `${ALICE.password}\n`,
  );
  const job = JSON.parse(
    await sesame([
      ...['clients', 'add', 'DPoP job', '--grant', 'client_credentials', '--scopes', 'quiz'],
      ...['--audience', 'quiz-api', '--require-dpop', '--json'],
    ]),
  );
  clients.job = { id: job.client_id, secret: job.client_secret };
  const web = JSON.parse(
    await sesame([
      ...[
        'clients',
        'add',
        'DPoP web',
        '--grant',
        'authorization_code,refresh_token',
        '--scopes',
        'openid quiz',
      ],
      ...['--audience', 'quiz-api', '--redirect-uri', REDIRECT, '--json'],
    ]),
  );
  clients.web = { id: web.client_id, secret: web.client_secret };
  const port = await freePort();
  server = await startSesame({ port, dataDir, env, cleanEnv: true });
  const issuer = new URL(`http://127.0.0.1:${port}`);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));

  guard = createGuard({ issuer: issuer.href.replace(/\/$/, ''), audience: 'quiz-api', dpop: {} });
  const app = express();
  app.get('/quiz', expressGuard(guard)('quiz'), (req, res) => {
    res.json({ sub: req.auth?.sub, jkt: req.auth?.cnf?.jkt });
  });
  api = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/quiz`;
}, 120_000);
afterAll(async () => {
  guard?.close();
  api?.close();
  await server?.stop();
});

/** oauth4webapi's own nonce handling: one retry when the server asks for its nonce (RFC 9449 §8). */
async function withNonceRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return attempt();
  }
}

async function callApi(accessToken: string, DPoP: oauth.DPoPHandle): Promise<Response> {
  return oauth.protectedResourceRequest(accessToken, 'GET', new URL(apiUrl), new Headers(), null, {
    DPoP,
    ...insecure,
  });
}

describe('DPoP with oauth4webapi (real process, server nonces on)', { timeout: 120_000 }, () => {
  it('discovery advertises DPoP algorithms', () => {
    expect(as.dpop_signing_alg_values_supported).toContain('ES256');
  });

  it('client credentials for a client that requires DPoP: a bound token the guarded API takes, and refuses as Bearer', async () => {
    const client: oauth.Client = { client_id: clients.job.id };
    const auth = oauth.ClientSecretBasic(clients.job.secret);
    const keyPair = await oauth.generateKeyPair('ES256');
    const DPoP = oauth.DPoP(client, keyPair);
    const tokens = await withNonceRetry(async () =>
      oauth.processClientCredentialsResponse(
        as,
        client,
        await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ scope: 'quiz' }), {
          DPoP,
          ...insecure,
        }),
      ),
    );
    expect(tokens.token_type).toBe('dpop');
    const answer = await callApi(tokens.access_token, DPoP);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { jkt: string }).jkt).toBe(await DPoP.calculateThumbprint());
    const asBearer = await fetch(apiUrl, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP /);

    // Without DPoP the client is refused: it is registered with dpop_bound_access_tokens.
    const plain = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      auth,
      new URLSearchParams(),
      insecure,
    );
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { error: string }).error).toBe('invalid_dpop_proof');
  });

  it('the code flow with dpop_jkt, then a refresh, each token bound to the key; proofs by another key are refused at the API', async () => {
    const client: oauth.Client = { client_id: clients.web.id };
    const auth = oauth.ClientSecretBasic(clients.web.secret);
    const keyPair = await oauth.generateKeyPair('ES256');
    const DPoP = oauth.DPoP(client, keyPair);
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      dpop_jkt: await DPoP.calculateThumbprint(),
    }))
      url.searchParams.set(name, value);
    const { back } = await signInAndConsent(new Browser(as.issuer), url.href, ALICE);
    const params = oauth.validateAuthResponse(as, client, new URL(back.location!), oauth.expectNoState);
    const tokens = await withNonceRetry(async () =>
      oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, {
          DPoP,
          ...insecure,
        }),
      ),
    );
    expect(tokens.token_type).toBe('dpop');
    expect((await callApi(tokens.access_token, DPoP)).status).toBe(200);

    const refreshed = await withNonceRetry(async () =>
      oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, { DPoP, ...insecure }),
      ),
    );
    expect(refreshed.token_type).toBe('dpop');
    const answer = await callApi(refreshed.access_token, DPoP);
    expect(answer.status).toBe(200);
    // The token in a thief's hands, with proofs by the thief's key: refused (not the bound key).
    const thief = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const stolen = await callApi(refreshed.access_token, thief).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(stolen).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = (stolen as oauth.WWWAuthenticateChallengeError).cause[0];
    expect({ scheme: challenge?.scheme, error: challenge?.parameters.error }).toEqual({
      scheme: 'dpop',
      error: 'invalid_dpop_proof',
    });
  });

  it('a code asked for with dpop_jkt is not exchanged with a proof by another key (invalid_grant)', async () => {
    const client: oauth.Client = { client_id: clients.web.id };
    const auth = oauth.ClientSecretBasic(clients.web.secret);
    const bound = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const other = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      dpop_jkt: await bound.calculateThumbprint(),
    }))
      url.searchParams.set(name, value);
    const { back } = await signInAndConsent(new Browser(as.issuer), url.href, ALICE);
    const params = oauth.validateAuthResponse(as, client, new URL(back.location!), oauth.expectNoState);
    const refused = await withNonceRetry(async () =>
      oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, {
          DPoP: other,
          ...insecure,
        }),
      ),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(oauth.ResponseBodyError);
    expect((refused as oauth.ResponseBodyError).error).toBe('invalid_grant');
  });
});
