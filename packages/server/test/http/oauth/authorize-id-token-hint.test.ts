/**
 * id_token_hint on the authorization request (OpenID Connect Core §3.1.2.1), through app.inject:
 * an ID token this server issued to this client (accepted expired) names the user the request is
 * for; a session of another user asks for the password (login_required with prompt=none), and a
 * login as another user goes back as login_required; a forged or foreign hint is invalid_request.
 */
import { createHmac } from 'node:crypto';
import { authorizeUrl, formFields, pkce, signIn } from '@sesame/testkit';
import { ALICE, createTestApp, locationParams, PageClient, type TestApp } from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  exchange,
  REDIRECT,
  signInTo,
  type WebClient,
  webClient,
} from '../../helpers/code-flow.js';

const ISSUER = 'http://127.0.0.1:8080';
const BOB = { username: 'bob', password: 'bob password 12' };
const DAY = 24 * 3_600_000;
let t: TestApp;
let web: WebClient;
let webB: WebClient;
let bobId: string;

beforeEach(async () => {
  t = await createTestApp();
  web = await webClient(t, 'web-a');
  webB = await webClient(t, 'web-b');
  bobId = (await t.services.users.create({ ...BOB, scopes: ['openid', 'quiz'] }, 'test')).id;
});
afterEach(() => t.close());

function params(extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: web.id,
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'st-hint',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** A browser signed in as `user` (consented to the client), and the ID token it got. */
async function signedIn(user = ALICE, client = web): Promise<{ browser: PageClient; idToken: string }> {
  const browser = new PageClient(t.app);
  const tokens = await exchange(t, client, await authorize(browser, client.id, {}, user));
  return { browser, idToken: tokens.id_token };
}

function expectBack(response: LightMyRequestResponse, error: string, description?: RegExp) {
  expect(response.statusCode, response.body).toBe(302);
  const back = locationParams(response);
  expect([back.get('error'), back.get('state'), back.get('iss')]).toEqual([error, 'st-hint', ISSUER]);
  expect(back.get('code')).toBeNull();
  if (description) expect(back.get('error_description')).toMatch(description);
}

const isLoginPage = (response: LightMyRequestResponse) =>
  response.statusCode === 200 && response.body.includes('action="/oauth/authorize/login"');

describe('a valid hint', () => {
  it('prompt=none and the hint’s user signed in: a code', async () => {
    const { browser, idToken } = await signedIn();
    const back = await browser.get(authorizeUrl(params({ prompt: 'none', id_token_hint: idToken })));
    expect(back.statusCode).toBe(302);
    expect(locationParams(back).get('code')).toMatch(/^[\w-]{43}$/);
  });

  it('an expired hint is accepted (Core: hints are old ID tokens)', async () => {
    const { browser, idToken } = await signedIn();
    t.clock.advance(DAY / 4);
    expect(decodeJwt(idToken).exp! * 1000).toBeLessThan(t.clock.now());
    // The browser session (12 hours) is still live; the ID token (its access token's life) is not.
    const back = await browser.get(authorizeUrl(params({ prompt: 'none', id_token_hint: idToken })));
    expect(locationParams(back).get('code')).toMatch(/^[\w-]{43}$/);
  });

  it('prompt=none and another user signed in: login_required', async () => {
    const { idToken } = await signedIn(ALICE);
    const { browser: bobs } = await signedIn(BOB);
    expectBack(
      await bobs.get(authorizeUrl(params({ prompt: 'none', id_token_hint: idToken }))),
      'login_required',
      /not the one of the id_token_hint/,
    );
  });

  it('prompt=none and no session: login_required', async () => {
    const { idToken } = await signedIn();
    expectBack(
      await new PageClient(t.app).get(authorizeUrl(params({ prompt: 'none', id_token_hint: idToken }))),
      'login_required',
    );
  });

  it('another user signed in, no prompt: the login page; signing in as the hint’s user goes on to a code', async () => {
    const { idToken } = await signedIn(ALICE);
    const { browser: shared } = await signedIn(BOB);
    const url = authorizeUrl(params({ id_token_hint: idToken }));
    const { page, signedIn: posted } = await signIn(shared, url, ALICE);
    expect(isLoginPage(page)).toBe(true);
    expect(posted.statusCode).toBe(303);
    const back = await shared.get(String(posted.headers.location));
    expect(locationParams(back).get('code')).toMatch(/^[\w-]{43}$/);
  });

  it('signing in as someone else than the hint’s user: login_required back to the client, no code', async () => {
    const { idToken } = await signedIn(ALICE);
    const browser = new PageClient(t.app);
    const { signedIn: posted } = await signIn(browser, authorizeUrl(params({ id_token_hint: idToken })), BOB);
    expect(posted.statusCode).toBe(303);
    const back = locationParams(posted);
    expect([back.get('error'), back.get('state')]).toEqual(['login_required', 'st-hint']);
    expect(back.get('code')).toBeNull();
  });

  it('a consent form posted by another user’s session goes back to the authorization request', async () => {
    const { idToken } = await signedIn(ALICE);
    const browser = new PageClient(t.app);
    const { signedIn: posted } = await signIn(browser, authorizeUrl(params()), BOB);
    const consent = await browser.get(String(posted.headers.location));
    const fields = formFields(consent.body, '/oauth/authorize/consent');
    // The consent form's own request, with a hint for alice added: bob's session does not serve it.
    const answer = await browser.post('/oauth/authorize/consent', {
      ...fields,
      id_token_hint: idToken,
      decision: 'allow',
    });
    expect(answer.statusCode).toBe(303);
    expect(String(answer.headers.location)).toMatch(/^\/oauth\/authorize\?/);
    expect(await t.services.consents.find(bobId, web.id)).toBeUndefined();
    // Control: without the hint the same form is bob's consent.
    const allowed = await browser.post('/oauth/authorize/consent', { ...fields, decision: 'allow' });
    expect(locationParams(allowed).get('code')).toMatch(/^[\w-]{43}$/);
  });
});

describe('a hint that fails: invalid_request back to the client', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('issued to another client', async () => {
    const { browser, idToken } = await signedIn(ALICE, webB);
    expectBack(
      await browser.get(authorizeUrl(params({ prompt: 'none', id_token_hint: idToken }))),
      'invalid_request',
      /another client/,
    );
  });

  it('a changed signature, a changed payload, alg none', async () => {
    const { browser, idToken } = await signedIn();
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    const claims = decodeJwt(idToken);
    const forged = [
      `${header}.${payload}.${flipped}`,
      `${header}.${b64({ ...claims, sub: bobId })}.${signature}`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'not-a-jwt',
    ];
    for (const hint of forged) {
      expectBack(
        await browser.get(authorizeUrl(params({ id_token_hint: hint }))),
        'invalid_request',
        /not an ID token signed by this server/,
      );
    }
  });

  it('signed by another key with this issuer and kid', async () => {
    const { browser, idToken } = await signedIn();
    const { kid } = JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString());
    const { privateKey } = await generateKeyPair('ES256');
    const hint = await new SignJWT({ ...decodeJwt(idToken) })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
      .sign(privateKey);
    expectBack(await browser.get(authorizeUrl(params({ id_token_hint: hint }))), 'invalid_request');
  });

  it('HS256 with the published JWKS (or one of its keys) as the secret', async () => {
    const { browser, idToken } = await signedIn();
    const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).body;
    const firstKey = JSON.stringify(JSON.parse(jwks).keys[0]);
    const { kid } = JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString());
    for (const secret of [jwks, firstKey]) {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(decodeJwt(idToken))}`;
      const mac = createHmac('sha256', secret).update(input).digest('base64url');
      expectBack(
        await browser.get(authorizeUrl(params({ id_token_hint: `${input}.${mac}` }))),
        'invalid_request',
      );
    }
  });

  it('an access token of this server (typ at+jwt) is no ID token', async () => {
    const browser = new PageClient(t.app);
    const tokens = await signInTo(t, browser, web);
    expectBack(
      await browser.get(authorizeUrl(params({ id_token_hint: tokens.access_token }))),
      'invalid_request',
      /typ/,
    );
  });

  it('an ID token of another Sesame with the same issuer URL', async () => {
    const other = await createTestApp();
    try {
      const { id_token: foreign } = await signInTo(
        other,
        new PageClient(other.app),
        await webClient(other, web.id),
      );
      expect(decodeJwt(foreign).iss).toBe(ISSUER);
      const { browser } = await signedIn();
      expectBack(await browser.get(authorizeUrl(params({ id_token_hint: foreign }))), 'invalid_request');
    } finally {
      await other.close();
    }
  });

  it('a hint with an unverified redirect URI is still a page, never a redirect', async () => {
    const { browser, idToken } = await signedIn();
    const response = await browser.get(
      authorizeUrl(params({ id_token_hint: `${idToken}x`, redirect_uri: 'https://evil.example/cb' })),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('a key made for a hint by the attacker, published nowhere (jose’s own keys)', async () => {
    const { browser, idToken } = await signedIn();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const hint = await new SignJWT({ ...decodeJwt(idToken) })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk })
      .sign(privateKey);
    expectBack(await browser.get(authorizeUrl(params({ id_token_hint: hint }))), 'invalid_request');
  });
});

describe('HMAC mode', () => {
  it('issues no ID tokens, so every hint is invalid_request', async () => {
    const hmac = await createTestApp({
      tokenProfile: 'classic',
      hmacSecret: 'the-classic-shared-secret-32-bytes-long!',
    });
    try {
      await webClient(hmac, web.id);
      const { idToken } = await signedIn();
      const response = await new PageClient(hmac.app).get(authorizeUrl(params({ id_token_hint: idToken })));
      expectBack(response, 'invalid_request', /HMAC mode/);
    } finally {
      await hmac.close();
    }
  });
});
