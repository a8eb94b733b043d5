/**
 * ID tokens from the code flow and from refresh (OpenID Connect Core §2, §3.1.3.6, §12.2), through
 * the pages and the token endpoint (app.inject), verified with jose against the published JWKS:
 * every claim, the nonce echoed exactly or absent, at_hash, auth_time kept from the password login,
 * each client's tokens only ever naming that client, and none without `openid` or in HMAC mode.
 */
import { createHash } from 'node:crypto';
import { authorizeUrl, pkce } from '@sesame/testkit';
import {
  createTestApp,
  locationParams,
  loginAlice,
  PageClient,
  postForm,
  type TestApp,
} from '@sesame/testkit/app';
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorize, REDIRECT } from '../helpers/code-flow.js';

const ISSUER = 'http://127.0.0.1:8080';
const SECRET = 'the-classic-shared-secret-32-bytes-long!';
const MINUTE = 60_000;
let t: TestApp;
let secrets: Record<string, string>;

async function appWithClients(values: Record<string, unknown> = {}): Promise<void> {
  t = await createTestApp(values);
  secrets = {};
  for (const clientId of ['web-a', 'web-b']) {
    const created = await t.services.clients.create(
      {
        name: clientId,
        clientId,
        type: 'confidential',
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'quiz'],
        redirectUris: [REDIRECT],
      },
      'test',
    );
    secrets[clientId] = created.clientSecret!;
  }
}
afterEach(() => t.close());

async function exchange(clientId: string, grant: { code: string; verifier: string }) {
  const response = await postForm(t.app, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: clientId,
    client_secret: secrets[clientId]!,
    code: grant.code,
    code_verifier: grant.verifier,
    redirect_uri: REDIRECT,
  });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json() as {
    access_token: string;
    refresh_token: string;
    scope: string;
    id_token?: string;
  };
  // The token response writes these two without JSON escapes (http/oauth/schemas.ts): they must be
  // compact JWS or JWE, base64url segments and dots, with nothing an escape would change.
  for (const token of [body.access_token, body.id_token ?? 'a.b.c'])
    expect(token).toMatch(/^[\w-]+(\.[\w-]*)+$/);
  return body;
}

async function refresh(clientId: string, refreshToken: string, scope?: string) {
  const response = await postForm(t.app, '/oauth/token', {
    grant_type: 'refresh_token',
    client_id: clientId,
    client_secret: secrets[clientId]!,
    refresh_token: refreshToken,
    ...(scope ? { scope } : {}),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { access_token: string; refresh_token: string; id_token?: string };
}

/** Verifies an ID token as a relying party does: the JWKS, the issuer, its own client id. */
async function verifyIdToken(
  token: string | undefined,
  clientId: string,
  alg: 'ES256' | 'RS256' = 'ES256',
): Promise<JWTPayload> {
  expect(typeof token).toBe('string');
  const jwks = createLocalJWKSet((await t.app.inject({ url: '/.well-known/jwks.json' })).json());
  const { payload } = await jwtVerify(token!, jwks, {
    issuer: ISSUER,
    audience: clientId,
    typ: 'JWT',
    algorithms: [alg],
    currentDate: new Date(t.clock.now()),
  });
  return payload;
}

const seconds = (ms: number) => Math.floor(ms / 1000);
const leftHalfSha256 = (token: string) =>
  createHash('sha256').update(token, 'ascii').digest().subarray(0, 16).toString('base64url');

describe('ID tokens (the default profile, ES256)', () => {
  beforeEach(() => appWithClients());

  it('the code flow with openid: every claim, the current key, auth_time from the login', async () => {
    const browser = new PageClient(t.app);
    const loggedInAt = t.clock.now();
    const earlier = await exchange('web-a', await authorize(browser, 'web-a', { nonce: 'first' }));
    // Five minutes later the browser is still logged in: a new code, the same auth_time and sid.
    t.clock.advance(5 * MINUTE);
    const tokens = await exchange('web-a', await authorize(browser, 'web-a', { nonce: 'second' }));
    const payload = await verifyIdToken(tokens.id_token, 'web-a');
    const sid = (await verifyIdToken(earlier.id_token, 'web-a')).sid;
    const access = t.services.accessTokens.verify(tokens.access_token);
    const iat = seconds(t.clock.now());
    expect(payload).toEqual({
      iss: ISSUER,
      sub: t.aliceId,
      aud: 'web-a',
      exp: iat + 15 * 60, // the access token's life
      iat,
      auth_time: seconds(loggedInAt),
      nonce: 'second',
      azp: 'web-a',
      amr: ['pwd'],
      acr: 'urn:sesame:acr:pwd',
      sid, // the browser session's public id: 128 random bits
      at_hash: leftHalfSha256(tokens.access_token),
    });
    expect(access.exp).toBe(payload.exp);
    expect(sid).toMatch(/^[\w-]{22}$/);
    // Not the refresh family, which the access token's sid names (and the revocation feed).
    expect(access.sid).not.toBe(sid);
    expect(decodeProtectedHeader(tokens.id_token!)).toEqual({ alg: 'ES256', typ: 'JWT', kid: access.kid });
  });

  it('echoes the nonce exactly, leaves it out when none was sent, refuses one over 512 characters', async () => {
    const browser = new PageClient(t.app);
    const nonce = `nØnce 😀 +/=&?%20${'x'.repeat(490)}`;
    const sent = await exchange('web-a', await authorize(browser, 'web-a', { nonce }));
    expect((await verifyIdToken(sent.id_token, 'web-a')).nonce).toBe(nonce);
    const none = await exchange('web-a', await authorize(browser, 'web-a'));
    expect(await verifyIdToken(none.id_token, 'web-a')).not.toHaveProperty('nonce');

    const tooLong = await browser.get(
      authorizeUrl({
        response_type: 'code',
        client_id: 'web-a',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 'st',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        nonce: 'n'.repeat(513),
      }),
    );
    expect(tooLong.statusCode).toBe(302);
    expect(locationParams(tooLong).get('error')).toBe('invalid_request');
    expect(locationParams(tooLong).get('code')).toBeNull();
  });

  it('gives no ID token without openid, nor to the password grant or its refresh', async () => {
    const browser = new PageClient(t.app);
    const oauthOnly = await exchange(
      'web-a',
      await authorize(browser, 'web-a', { scope: 'quiz', nonce: 'n' }),
    );
    expect(oauthOnly.scope).toBe('quiz');
    expect(oauthOnly).not.toHaveProperty('id_token');
    expect(await refresh('web-a', oauthOnly.refresh_token)).not.toHaveProperty('id_token');

    const password = await loginAlice(t, 'openid quiz');
    expect(password).not.toHaveProperty('id_token');
    const refreshed = await postForm(t.app, '/oauth/token', {
      grant_type: 'refresh_token',
      client_id: t.publicId,
      refresh_token: password.refresh_token,
    });
    expect(refreshed.json()).not.toHaveProperty('id_token');
  });

  it('refresh gives a new ID token: same sub, sid and auth_time, no nonce, at_hash of the new token', async () => {
    const browser = new PageClient(t.app);
    const loggedInAt = t.clock.now();
    const first = await exchange('web-a', await authorize(browser, 'web-a', { nonce: 'login nonce' }));
    const before = await verifyIdToken(first.id_token, 'web-a');
    t.clock.advance(10 * MINUTE);
    const refreshed = await refresh('web-a', first.refresh_token);
    const after = await verifyIdToken(refreshed.id_token, 'web-a');
    expect(after).toEqual({
      iss: ISSUER,
      sub: t.aliceId,
      aud: 'web-a',
      exp: seconds(t.clock.now()) + 15 * 60,
      iat: seconds(t.clock.now()),
      auth_time: seconds(loggedInAt),
      azp: 'web-a',
      amr: ['pwd'],
      acr: 'urn:sesame:acr:pwd',
      sid: before.sid,
      at_hash: leftHalfSha256(refreshed.access_token),
    });
    // Narrowed to scopes without openid: an access token only.
    expect(await refresh('web-a', refreshed.refresh_token, 'quiz')).not.toHaveProperty('id_token');
  });

  it("names only its own client: A's ID token has aud A and A's nonce, B's has B's", async () => {
    const browser = new PageClient(t.app);
    const a = await exchange('web-a', await authorize(browser, 'web-a', { nonce: 'nonce of A' }));
    const b = await exchange('web-b', await authorize(browser, 'web-b', { nonce: 'nonce of B' }));
    const ofA = await verifyIdToken(a.id_token, 'web-a');
    const ofB = await verifyIdToken(b.id_token, 'web-b');
    expect([ofA.aud, ofA.azp, ofA.nonce]).toEqual(['web-a', 'web-a', 'nonce of A']);
    expect([ofB.aud, ofB.azp, ofB.nonce]).toEqual(['web-b', 'web-b', 'nonce of B']);
    // One browser session, two clients: the same sid (what a logout token names to each).
    expect(ofA.sid).toBe(ofB.sid);
    expect(t.services.accessTokens.verify(a.access_token).sid).not.toBe(
      t.services.accessTokens.verify(b.access_token).sid,
    );
    // B, as a relying party, refuses A's ID token.
    await expect(verifyIdToken(a.id_token, 'web-b')).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
  });
});

describe('ID tokens of a client registered with id_token_signed_response_alg RS256', () => {
  beforeEach(async () => {
    await appWithClients();
    await t.services.clients.change('web-b', { idTokenSignedResponseAlg: 'RS256' }, 'test');
  });

  it('the code flow and refresh sign its ID tokens RS256; its access tokens and other clients stay ES256', async () => {
    const browser = new PageClient(t.app);
    const tokens = await exchange('web-b', await authorize(browser, 'web-b', { nonce: 'n-b' }));
    const rsKid = t.services.keys.signingKey('RS256').kid;
    expect(decodeProtectedHeader(tokens.id_token!)).toEqual({ alg: 'RS256', typ: 'JWT', kid: rsKid });
    const payload = await verifyIdToken(tokens.id_token, 'web-b', 'RS256');
    expect(payload).toMatchObject({
      aud: 'web-b',
      nonce: 'n-b',
      at_hash: leftHalfSha256(tokens.access_token),
    });
    // A relying party expecting ES256 refuses it: the alg is the client's registered one, not a guess.
    await expect(verifyIdToken(tokens.id_token, 'web-b', 'ES256')).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const other = await exchange('web-a', await authorize(browser, 'web-a'));
    expect(decodeProtectedHeader(other.id_token!).alg).toBe('ES256');

    const refreshed = await refresh('web-b', tokens.refresh_token);
    expect(decodeProtectedHeader(refreshed.id_token!)).toMatchObject({ alg: 'RS256', kid: rsKid });
    expect((await verifyIdToken(refreshed.id_token, 'web-b', 'RS256')).sid).toBe(payload.sid);
  });

  it('its RS256 ID token is an id_token_hint like any other: prompt=none gives a code; relabelled ES256, refused', async () => {
    const browser = new PageClient(t.app);
    const { id_token: hint } = await exchange('web-b', await authorize(browser, 'web-b'));
    expect(t.services.idTokenHints.verify(hint!)).toMatchObject({
      ok: true,
      hint: { subject: t.aliceId, clientId: 'web-b' },
    });
    const { challenge } = pkce();
    const request = {
      response_type: 'code',
      client_id: 'web-b',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      prompt: 'none',
    };
    const back = await browser.get(authorizeUrl({ ...request, id_token_hint: hint! }));
    expect(locationParams(back).get('code'), back.body).toMatch(/^[\w-]{43}$/);
    // The same signature under alg ES256 (the RSA key's kid kept): not a hint of this server.
    const [header, payload, signature] = hint!.split('.') as [string, string, string];
    const relabelled = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'ES256' }),
    ).toString('base64url');
    expect(t.services.idTokenHints.verify(`${relabelled}.${payload}.${signature}`).ok).toBe(false);
  });

  it('after a rotation the new RS256 key signs, and the ID token of the retired one still verifies', async () => {
    const browser = new PageClient(t.app);
    const before = await exchange('web-b', await authorize(browser, 'web-b'));
    const oldKid = decodeProtectedHeader(before.id_token!).kid;
    await t.services.keys.rotate('test');
    const after = await refresh('web-b', before.refresh_token);
    const newKid = decodeProtectedHeader(after.id_token!).kid;
    expect(newKid).toBe(t.services.keys.signingKey('RS256').kid);
    expect(newKid).not.toBe(oldKid);
    expect((await verifyIdToken(before.id_token, 'web-b', 'RS256')).aud).toBe('web-b');
    expect((await verifyIdToken(after.id_token, 'web-b', 'RS256')).aud).toBe('web-b');
  });
});

describe('ID tokens in HMAC mode', () => {
  beforeEach(() => appWithClients({ tokenProfile: 'classic', hmacSecret: SECRET }));

  it('issues none (the shared secret would let any resource server forge one) and advertises none', async () => {
    const tokens = await exchange('web-a', await authorize(new PageClient(t.app), 'web-a', { nonce: 'n' }));
    expect(tokens.scope).toBe('openid quiz');
    expect(tokens).not.toHaveProperty('id_token');
    const metadata = (await t.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(metadata).not.toHaveProperty('id_token_signing_alg_values_supported');
    expect(metadata).not.toHaveProperty('scopes_supported');
  });
});
