import { createLocalKeySet, verify } from '@sesame/jwt';
import { createTestApp, loginAlice, PageClient, type TestApp } from '@sesame/testkit/app';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_CLAIMS } from '../../../src/domain/accounts/profile.js';
import { authorize, exchange, REDIRECT } from '../../helpers/code-flow.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('discovery', () => {
  it('serves RFC 8414 metadata at both well-known URLs', async () => {
    for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const response = await t.app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        issuer: 'http://127.0.0.1:8080',
        token_endpoint: 'http://127.0.0.1:8080/oauth/token',
        jwks_uri: 'http://127.0.0.1:8080/.well-known/jwks.json',
        revocation_endpoint: 'http://127.0.0.1:8080/oauth/revoke',
        introspection_endpoint: 'http://127.0.0.1:8080/oauth/introspect',
        grant_types_supported: [
          'password',
          'client_credentials',
          'refresh_token',
          'authorization_code',
          'urn:sesame:params:oauth:grant-type:wxapp',
        ],
        authorization_endpoint: 'http://127.0.0.1:8080/oauth/authorize',
      });
    }
  });

  it('advertises the OpenID Connect it does, at both URLs, and nothing it does not', async () => {
    const [oauth, openid] = await Promise.all(
      ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'].map(
        async (url) => (await t.app.inject({ url })).json() as Record<string, unknown>,
      ),
    );
    expect(openid).toEqual(oauth);
    expect(openid).toMatchObject({
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'form_post'],
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      scopes_supported: ['openid', 'profile', 'email', 'phone', 'address'],
      subject_types_supported: ['public'],
      // Discovery §3: RS256 is offered beside the configured algorithm.
      id_token_signing_alg_values_supported: ['ES256', 'RS256'],
      acr_values_supported: ['urn:sesame:acr:pwd'],
      claims_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      end_session_endpoint: 'http://127.0.0.1:8080/oauth/logout',
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    // Not built yet: front-channel logout, session management.
    for (const field of ['frontchannel_logout_supported', 'check_session_iframe']) {
      expect(openid).not.toHaveProperty(field);
    }
  });

  it('claims_supported is what the server hands out: an ID token’s claims and /userinfo’s for every scope, to a user with every profile claim', async () => {
    // Every claim a caller may set (profile.ts); updated_at is Sesame's own, set on change.
    const profile = {
      name: 'Eve Every',
      given_name: 'Eve',
      family_name: 'Every',
      middle_name: 'Ann',
      nickname: 'E',
      preferred_username: 'eve',
      profile: 'https://example.com/eve',
      picture: 'https://example.com/eve.png',
      website: 'https://eve.example.com',
      gender: 'female',
      birthdate: '1990-01-02',
      zoneinfo: 'Europe/Lisbon',
      locale: 'pt-PT',
      email: 'eve@example.com',
      email_verified: true,
      phone_number: '+351912345678',
      phone_number_verified: true,
      address: { formatted: 'Rua 1\nLisboa', locality: 'Lisboa', country: 'PT' },
    };
    expect(Object.keys(profile).sort()).toEqual([...PROFILE_CLAIMS].sort());
    const scopes = ['openid', 'profile', 'email', 'phone', 'address'];
    const user = { username: 'every-claim', password: 'every claim password 1' };
    await t.services.users.create({ ...user, scopes, profile }, 'test');
    const created = await t.services.clients.create(
      {
        name: 'every claim app',
        clientId: 'every-claim-app',
        type: 'confidential',
        grantTypes: ['authorization_code'],
        scopes,
        redirectUris: [REDIRECT],
      },
      'test',
    );
    const client = { id: 'every-claim-app', secret: created.clientSecret! };
    const grant = await authorize(
      new PageClient(t.app),
      client.id,
      { scope: scopes.join(' '), nonce: 'n' },
      user,
    );
    const tokens = await exchange(t, client, grant);
    const info = await t.app.inject({
      url: '/userinfo',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.statusCode, info.body).toBe(200);
    // Sesame's own members of the answer (the token's username and scopes) are not OpenID claims.
    const { username: _username, scopes: _scopes, ...released } = info.json() as Record<string, unknown>;
    const handedOut = new Set([...Object.keys(decodeJwt(tokens.id_token)), ...Object.keys(released)]);

    const { claims_supported: supported } = (
      await t.app.inject({ url: '/.well-known/openid-configuration' })
    ).json() as { claims_supported: string[] };
    expect(new Set(supported).size, 'no claim listed twice').toBe(supported.length);
    expect([...supported].sort()).toEqual([...handedOut].sort());
    // And not an empty agreement: the claims every relying party looks for are among them.
    expect(supported).toEqual(
      expect.arrayContaining(['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'at_hash']),
    );
    expect(supported).toEqual(
      expect.arrayContaining([
        'name',
        'preferred_username',
        'updated_at',
        'email',
        'phone_number',
        'address',
      ]),
    );
  });

  it('publishes public keys only, and they verify issued tokens', async () => {
    const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json();
    // The current and next key of each algorithm: ES256 (access tokens) and RS256 (ID tokens).
    expect(jwks.keys.map((key: { alg: string }) => key.alg).sort()).toEqual([
      'ES256',
      'ES256',
      'RS256',
      'RS256',
    ]);
    for (const key of jwks.keys) {
      expect(key.d).toBeUndefined();
      expect(key.p).toBeUndefined();
      expect(key.use).toBe('sig');
      expect(key.kty).toBe(key.alg === 'ES256' ? 'EC' : 'RSA');
    }
    const session = await loginAlice(t);
    const { payload } = verify(session.access_token, createLocalKeySet(jwks), {
      algorithms: ['ES256'],
      issuer: 'http://127.0.0.1:8080',
      audience: 'sesame',
      typ: 'at+jwt',
    });
    expect(payload.username).toBe('alice');
  });

  it('keeps a retired key published and verifiable after a rotation', async () => {
    const session = await loginAlice(t);
    await t.services.keys.rotate('test');
    const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys).toHaveLength(6); // each algorithm's retired key beside its current and next
    const userinfo = await t.app.inject({
      url: '/userinfo',
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(userinfo.statusCode).toBe(200);
  });

  it('lists exactly the algorithms ID tokens can be signed with: the configured one, and RS256', async () => {
    for (const [algorithm, expected] of [
      ['EdDSA', ['EdDSA', 'RS256']],
      ['RS256', ['RS256']],
    ] as const) {
      const other = await createTestApp({ algorithm });
      try {
        const metadata = (await other.app.inject({ url: '/.well-known/openid-configuration' })).json();
        expect(metadata.id_token_signing_alg_values_supported).toEqual(expected);
        expect(metadata.access_token_signing_alg_values_supported).toEqual([algorithm]);
        const jwks = (await other.app.inject({ url: '/.well-known/jwks.json' })).json();
        expect([...new Set(jwks.keys.map((key: { alg: string }) => key.alg))].sort()).toEqual(
          [...expected].sort(),
        );
      } finally {
        await other.close();
      }
    }
  });

  it('answers health probes', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ok' });
  });
});

describe('OpenAPI and /docs', () => {
  it('documents every route from its schema, with the code flow through sesame-docs', async () => {
    const response = await t.app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    for (const path of [
      '/oauth/token',
      '/oauth/revoke',
      '/oauth/introspect',
      '/userinfo',
      '/admin/users',
      '/admin/users/{id}/sessions',
      '/.well-known/jwks.json',
    ]) {
      expect(document.paths[path], path).toBeDefined();
    }
    // RFC 9700 §2.4: the page logs in with the code flow and PKCE, not the password grant.
    expect(document.components.securitySchemes.sesame.flows).toEqual({
      authorizationCode: expect.objectContaining({
        authorizationUrl: '/oauth/authorize',
        tokenUrl: '/oauth/token',
      }),
    });
    const tokenBody = document.paths['/oauth/token'].post.requestBody.content;
    expect(Object.keys(tokenBody)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
    expect(tokenBody['application/x-www-form-urlencoded'].schema.properties).toHaveProperty('refresh_token');
    expect(document.paths['/admin/users'].get.security).toEqual([{ sesame: ['admin'] }]);
    // The serializer's hint that tokens need no escaping is no OpenAPI format: plain strings here.
    const tokenAnswer =
      document.paths['/oauth/token'].post.responses['200'].content['application/json'].schema;
    expect(tokenAnswer.properties.access_token).toEqual({ type: 'string' });
    expect(response.body).not.toContain('"unsafe"');
  });

  it('serves Swagger UI and its assets locally, with the sesame-docs client prefilled', async () => {
    const page = await t.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const init = await t.app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain('sesame-docs');
    const bundle = await t.app.inject({ url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
  });
});
