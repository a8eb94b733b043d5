/**
 * The `claims` request parameter (OpenID Connect Core §5.5), through app.inject: claims named for
 * the ID token are in it, claims named for /userinfo come back there besides the scopes' claims,
 * each only when its scope is the client's and the user's and the user consented to it; both
 * survive a refresh; an essential acr Sesame cannot meet is access_denied; a `sub` value names the
 * user; bad JSON is invalid_request.
 */
import { authorizeUrl, formFields, pkce } from '@sesame/testkit';
import { createTestApp, locationParams, PageClient, type TestApp } from '@sesame/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  exchange,
  REDIRECT,
  refresh,
  type Tokens,
  type WebClient,
} from '../../helpers/code-flow.js';

const ISSUER = 'http://127.0.0.1:8080';
const DORA = { username: 'dora', password: 'dora password 1' };
const PROFILE = {
  name: 'Dora Explorer',
  email: 'dora@example.com',
  email_verified: true,
  phone_number: '+351912345678',
};
let t: TestApp;
let web: WebClient;
let doraId: string;

beforeEach(async () => {
  t = await createTestApp();
  const created = await t.services.clients.create(
    {
      name: 'Claims app',
      clientId: 'claims-app',
      type: 'confidential',
      grantTypes: ['authorization_code', 'refresh_token'],
      // Not `phone`: the client may never get a phone number, by scope or by name.
      scopes: ['openid', 'quiz', 'profile', 'email', 'address'],
      redirectUris: [REDIRECT],
    },
    'test',
  );
  web = { id: 'claims-app', secret: created.clientSecret! };
  // Not `address`: dora does not hold it.
  const user = await t.services.users.create(
    { ...DORA, scopes: ['openid', 'quiz', 'profile', 'email', 'phone'], profile: PROFILE },
    'test',
  );
  doraId = user.id;
});
afterEach(() => t.close());

const claims = (value: unknown) => ({ claims: JSON.stringify(value) });

function params(extra: Record<string, string> = {}) {
  return {
    response_type: 'code',
    client_id: web.id,
    redirect_uri: REDIRECT,
    scope: 'openid quiz',
    state: 'st-claims',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** Dora signs in and consents; the tokens of the request with `extra`. */
async function tokensFor(extra: Record<string, string>, browser = new PageClient(t.app)): Promise<Tokens> {
  return exchange(t, web, await authorize(browser, web.id, extra, DORA));
}

async function userinfo(accessToken: string): Promise<Record<string, unknown>> {
  const response = await t.app.inject({
    url: '/userinfo',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

function expectBack(response: LightMyRequestResponse, error: string, description: RegExp) {
  expect(response.statusCode, response.body).toBe(302);
  const back = locationParams(response);
  expect([back.get('error'), back.get('state'), back.get('iss')]).toEqual([error, 'st-claims', ISSUER]);
  expect(back.get('error_description')).toMatch(description);
}

describe('claims for the ID token', () => {
  it('are in the ID token, with the user’s values; /userinfo does not get them for it', async () => {
    const tokens = await tokensFor(claims({ id_token: { email: { essential: true }, name: null } }));
    const idToken = decodeJwt(tokens.id_token);
    expect([idToken.email, idToken.name]).toEqual([PROFILE.email, PROFILE.name]);
    expect(decodeJwt(tokens.access_token)).not.toHaveProperty('userinfo_claims');
    const info = await userinfo(tokens.access_token);
    expect(info).not.toHaveProperty('email');
    expect(info).not.toHaveProperty('name');
  });

  it('never replace the ID token’s own claims (sub, aud, acr…) and skip what the user lacks', async () => {
    const tokens = await tokensFor(
      claims({ id_token: { sub: null, aud: null, acr: null, picture: null, email_verified: null } }),
    );
    const idToken = decodeJwt(tokens.id_token);
    expect([idToken.sub, idToken.aud, idToken.acr]).toEqual([doraId, web.id, 'urn:sesame:acr:pwd']);
    expect(idToken.email_verified).toBe(true);
    expect(idToken).not.toHaveProperty('picture');
  });

  it('are kept for the ID tokens of refreshes', async () => {
    const tokens = await tokensFor(claims({ id_token: { email: null }, userinfo: { name: null } }));
    const refreshed = await refresh(t, web, tokens.refresh_token!);
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(decodeJwt(refreshed.json().id_token).email).toBe(PROFILE.email);
    expect((await userinfo(refreshed.json().access_token)).name).toBe(PROFILE.name);
  });
});

describe('claims for /userinfo', () => {
  it('come back besides the scopes’ claims; the access token lists them by name', async () => {
    const tokens = await tokensFor({
      scope: 'openid quiz email',
      ...claims({ userinfo: { name: { essential: true }, email: null } }),
    });
    expect(decodeJwt(tokens.access_token).userinfo_claims).toEqual(['name', 'email']);
    const info = await userinfo(tokens.access_token);
    expect(info).toMatchObject({
      sub: doraId,
      name: PROFILE.name,
      email: PROFILE.email,
      email_verified: true,
    });
    expect(decodeJwt(tokens.id_token)).not.toHaveProperty('name');
  });

  it('only those whose scope the client may have and the user holds (no phone, no address)', async () => {
    const tokens = await tokensFor(
      claims({
        userinfo: { phone_number: null, address: null, email: null },
        id_token: { phone_number: null },
      }),
    );
    const info = await userinfo(tokens.access_token);
    expect(info.email).toBe(PROFILE.email);
    expect(info).not.toHaveProperty('phone_number');
    expect(decodeJwt(tokens.id_token)).not.toHaveProperty('phone_number');
    expect(decodeJwt(tokens.access_token).userinfo_claims).toEqual(['email']);
  });
});

describe('consent', () => {
  it('the consent page names the scopes of the claims asked for, and the consent remembers them', async () => {
    const browser = new PageClient(t.app);
    const request = params(claims({ id_token: { email: null } }));
    await authorize(browser, web.id, { scope: 'openid quiz' }, DORA);
    // Consent to openid quiz is remembered, but not to email: the consent page comes back.
    const page = await browser.get(authorizeUrl(request));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('action="/oauth/authorize/consent"');
    expect(page.body).toContain('<li><code>email</code>');
    expectBack(
      await browser.get(authorizeUrl({ ...request, prompt: 'none' })),
      'consent_required',
      /not consented/,
    );
    const back = await browser.post('/oauth/authorize/consent', {
      ...formFields(page.body, '/oauth/authorize/consent'),
      decision: 'allow',
    });
    expect(locationParams(back).get('code')).toBeTruthy();
    expect((await t.services.consents.find(doraId, web.id))?.scopes).toEqual(['openid', 'quiz', 'email']);
    // Remembered now: a code at once.
    const again = await browser.get(authorizeUrl({ ...request, prompt: 'none' }));
    expect(locationParams(again).get('code')).toBeTruthy();
  });
});

describe('acr in the claims parameter (Core §5.5.1.1)', () => {
  it.each([
    ['values without ours', { essential: true, values: ['urn:mace:incommon:iap:silver', '2'] }],
    ['a value not ours', { essential: true, value: '0' }],
    ['an empty values list', { essential: true, values: [] }],
  ])('essential, %s: access_denied before any page', async (_name, acr) => {
    const response = await new PageClient(t.app).get(authorizeUrl(params(claims({ id_token: { acr } }))));
    expectBack(response, 'access_denied', /essential acr values cannot be met/);
  });

  it.each([
    ['essential with ours among the values', { essential: true, values: ['x', 'urn:sesame:acr:pwd'] }],
    ['voluntary with another value', { values: ['urn:mace:incommon:iap:silver'] }],
    ['essential without values', { essential: true }],
  ])('%s: the flow goes on and the ID token says ours', async (_name, acr) => {
    const tokens = await tokensFor(claims({ id_token: { acr } }));
    expect(decodeJwt(tokens.id_token).acr).toBe('urn:sesame:acr:pwd');
  });
});

describe('sub with a value (Core §5.5.1)', () => {
  it('names the user the request is for: another user’s session gets login_required with prompt=none', async () => {
    const browser = new PageClient(t.app);
    await tokensFor({}, browser);
    const ok = await browser.get(
      authorizeUrl(params({ prompt: 'none', ...claims({ id_token: { sub: { value: doraId } } }) })),
    );
    expect(locationParams(ok).get('code')).toBeTruthy();
    expectBack(
      await browser.get(
        authorizeUrl(params({ prompt: 'none', ...claims({ id_token: { sub: { value: 'someone-else' } } }) })),
      ),
      'login_required',
      /not the one/,
    );
  });

  it('an id_token_hint naming another user than the sub value is invalid_request', async () => {
    const browser = new PageClient(t.app);
    const { id_token: hint } = await tokensFor({}, browser);
    expectBack(
      await browser.get(
        authorizeUrl(
          params({ id_token_hint: hint, ...claims({ id_token: { sub: { value: 'someone-else' } } }) }),
        ),
      ),
      'invalid_request',
      /different users/,
    );
  });
});

describe('a claims parameter that is not one: invalid_request back to the client', () => {
  it.each([
    ['not JSON', '{"id_token":'],
    ['JSON but an array', '[]'],
    ['JSON null', 'null'],
    ['a string', '"email"'],
    ['id_token a string', '{"id_token":"email"}'],
    ['userinfo an array', '{"userinfo":["email"]}'],
    ['a claim that is a number', '{"id_token":{"email":1}}'],
    ['a claim that is true', '{"userinfo":{"email":true}}'],
    ['essential not a boolean', '{"id_token":{"email":{"essential":"yes"}}}'],
    ['values not an array', '{"id_token":{"acr":{"values":"urn:sesame:acr:pwd"}}}'],
    ['a repeated claim name', '{"id_token":{"email":null,"email":{"essential":true}}}'],
    ['a repeated member', '{"id_token":{},"id_token":{"email":null}}'],
  ])('%s', async (_name, value) => {
    const response = await new PageClient(t.app).get(authorizeUrl(params({ claims: value })));
    expectBack(response, 'invalid_request', /^the claims parameter /);
  });

  it('unknown members and unknown claim names are ignored', async () => {
    const tokens = await tokensFor(
      claims({
        id_token: { email: null, 'urn:x:unknown': { essential: true } },
        verified_claims: {},
        other: 1,
      }),
    );
    const idToken = decodeJwt(tokens.id_token);
    expect(idToken.email).toBe(PROFILE.email);
    expect(idToken).not.toHaveProperty('urn:x:unknown');
  });

  it('a parameter over the 8192-character limit is invalid_request', async () => {
    const huge = JSON.stringify({ id_token: { email: { values: ['x'.repeat(9000)] } } });
    const response = await new PageClient(t.app).get(authorizeUrl(params({ claims: huge })));
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });
});

describe('discovery', () => {
  it('says the claims parameter is supported and lists the claims it can name', async () => {
    const metadata = (await t.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(metadata.claims_parameter_supported).toBe(true);
    expect(metadata.claims_supported).toEqual(
      expect.arrayContaining(['email', 'name', 'phone_number', 'acr']),
    );
  });
});
