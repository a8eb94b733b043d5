import { createLocalKeySet, verify } from '@sesame/jwt';
import { createTestApp, loginAlice, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
      claims_supported: [
        'iss',
        'sub',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'azp',
        'amr',
        'acr',
        'sid',
        'at_hash',
        // The profile claims (Core §5.4), which a scope or the claims parameter releases.
        'name',
        'family_name',
        'given_name',
        'middle_name',
        'nickname',
        'preferred_username',
        'profile',
        'picture',
        'website',
        'gender',
        'birthdate',
        'zoneinfo',
        'locale',
        'updated_at',
        'email',
        'email_verified',
        'phone_number',
        'phone_number_verified',
        'address',
      ],
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
