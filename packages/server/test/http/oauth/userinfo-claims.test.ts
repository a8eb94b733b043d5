/**
 * /userinfo per OpenID Connect Core §5.3: GET and POST, the token in the header or in a form body
 * (RFC 6750 §2.2) but never both, and the claims of the token's scopes only (Core §5.4).
 */
import { createTestApp, form, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
let userId: string;
const PASSWORD = 'dora password 1';
const PROFILE = {
  name: 'Dora Explorer',
  given_name: 'Dora',
  family_name: 'Explorer',
  nickname: 'D',
  picture: 'https://example.com/dora.png',
  locale: 'pt-PT',
  birthdate: '2000-08-14',
  email: 'dora@example.com',
  email_verified: true,
  phone_number: '+351912345678',
  phone_number_verified: false,
  address: { locality: 'Lisbon', country: 'PT' },
};

beforeAll(async () => {
  t = await createTestApp();
  await t.services.clients.create(
    {
      name: 'oidc app',
      clientId: 'oidc-app',
      type: 'public',
      grantTypes: ['password'],
      scopes: ['openid', 'profile', 'email', 'phone', 'address', 'quiz'],
      redirectUris: [],
    },
    'test',
  );
  const user = await t.services.users.create(
    {
      username: 'dora',
      password: PASSWORD,
      scopes: ['openid', 'profile', 'email', 'phone', 'address', 'quiz'],
      profile: PROFILE,
    },
    'test',
  );
  userId = user.id;
});
afterAll(async () => t.close());

async function tokenFor(scope: string): Promise<string> {
  const response = await postForm(t.app, '/oauth/token', {
    grant_type: 'password',
    client_id: 'oidc-app',
    username: 'dora',
    password: PASSWORD,
    scope,
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return response.json().access_token as string;
}

const UPDATED_AT = () => expect.any(Number);

describe('/userinfo: where the token comes from', () => {
  it('GET with the header, POST with the header, POST with a form body: the same answer', async () => {
    const token = await tokenFor('openid email');
    const expected = {
      sub: userId,
      email: 'dora@example.com',
      email_verified: true,
      username: 'dora',
      scopes: ['openid', 'email'],
    };
    const get = await t.app.inject({
      method: 'GET',
      url: '/userinfo',
      headers: { authorization: `Bearer ${token}` },
    });
    const postHeader = await t.app.inject({
      method: 'POST',
      url: '/userinfo',
      headers: { authorization: `Bearer ${token}` },
    });
    const postBody = await postForm(t.app, '/userinfo', { access_token: token });
    for (const [name, response] of [
      ['GET', get],
      ['POST header', postHeader],
      ['POST body', postBody],
    ] as const) {
      expect(response.statusCode, name).toBe(200);
      expect(response.json(), name).toEqual(expected);
      expect(response.headers['cache-control'], name).toBe('no-store');
    }
  });

  it('a token in the header and in the body at once: 400 invalid_request with a challenge', async () => {
    const token = await tokenFor('openid');
    const response = await postForm(
      t.app,
      '/userinfo',
      { access_token: token },
      { authorization: `Bearer ${token}` },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="sesame", error="invalid_request"/);
  });

  it('a token in the query, with POST or beside a body token: 400 invalid_request', async () => {
    const token = await tokenFor('openid');
    const query = await t.app.inject({ method: 'POST', url: `/userinfo?access_token=${token}` });
    const both = await t.app.inject({
      method: 'POST',
      url: `/userinfo?access_token=${token}`,
      ...form({ access_token: token }),
    });
    for (const response of [query, both]) {
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_request');
    }
  });

  it('a body token outside the grammar, repeated, or not a user token: refused per RFC 6750', async () => {
    const token = await tokenFor('openid');
    const malformed = await postForm(t.app, '/userinfo', { access_token: 'two words' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['www-authenticate']).toMatch(/error="invalid_request"/);
    const repeated = await t.app.inject({
      method: 'POST',
      url: '/userinfo',
      payload: `access_token=${token}&access_token=${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(repeated.statusCode).toBe(400);
    const forged = await postForm(t.app, '/userinfo', { access_token: `${token.slice(0, -4)}AAAA` });
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('a POST without any token: 401 with a challenge without an error code', async () => {
    const response = await postForm(t.app, '/userinfo', { other: 'x' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="sesame"');
  });
});

describe('/userinfo: each scope releases its claims and no others (Core §5.4)', () => {
  const claimsOf = async (scope: string) => {
    const token = await tokenFor(scope);
    const response = await t.app.inject({ url: '/userinfo', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(200);
    const { username: _u, scopes: _s, ...claims } = response.json();
    return claims;
  };

  it.each([
    ['openid', {}],
    ['openid quiz', {}],
    [
      'openid profile',
      {
        name: 'Dora Explorer',
        given_name: 'Dora',
        family_name: 'Explorer',
        nickname: 'D',
        preferred_username: 'dora',
        picture: 'https://example.com/dora.png',
        birthdate: '2000-08-14',
        locale: 'pt-PT',
        updated_at: UPDATED_AT(),
      },
    ],
    ['openid email', { email: 'dora@example.com', email_verified: true }],
    ['openid phone', { phone_number: '+351912345678', phone_number_verified: false }],
    ['openid address', { address: { locality: 'Lisbon', country: 'PT' } }],
  ])('%s', async (scope, expected) => {
    expect(await claimsOf(scope)).toEqual({ sub: userId, ...expected });
  });

  it('all four scopes: every claim the user has, none the user lacks', async () => {
    const claims = await claimsOf('openid profile email phone address');
    expect(claims).toEqual({ sub: userId, ...PROFILE, preferred_username: 'dora', updated_at: UPDATED_AT() });
    expect(Object.keys(claims)).not.toContain('website');
    expect(Object.keys(claims)).not.toContain('middle_name');
  });
});
