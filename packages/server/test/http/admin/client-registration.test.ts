/**
 * The OpenID Connect registration fields through the admin API: POST /admin/clients sets them,
 * PATCH /admin/clients/{id} changes them (and still permissions alone), GET shows them; refused
 * values are 400 naming the field.
 */

import { exportJWK, generateKeyPair } from '@sesame/jwt';
import { type AdminCall, adminApi, createTestApp, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('/admin/clients: registration fields', () => {
  let t: TestApp;
  let call: AdminCall;
  beforeAll(async () => {
    t = await createTestApp();
    call = await adminApi(t);
  });
  afterAll(async () => t.close());

  const register = (fields: object) =>
    call('POST', '/admin/clients', {
      name: 'rp',
      grantTypes: ['authorization_code'],
      redirectUris: ['https://rp.example/cb'],
      ...fields,
    });

  it('registers with every field and shows them, never the secret hash', async () => {
    const response = await register({
      postLogoutRedirectUris: ['https://rp.example/bye'],
      backchannelLogoutUri: 'https://rp.example/logout',
      idTokenSignedResponseAlg: 'ES256',
      tokenEndpointAuthMethod: 'client_secret_basic',
      requirePkce: false,
      subjectType: 'public',
    });
    expect(response.statusCode, response.body).toBe(201);
    const { client } = response.json();
    expect(client).toMatchObject({
      postLogoutRedirectUris: ['https://rp.example/bye'],
      backchannelLogoutUri: 'https://rp.example/logout',
      idTokenSignedResponseAlg: 'ES256',
      tokenEndpointAuthMethod: 'client_secret_basic',
      requirePkce: false,
      subjectType: 'public',
    });
    expect(client).not.toHaveProperty('secretHash');
    const listed = (await call('GET', '/admin/clients')).json();
    expect(listed.find((c: { clientId: string }) => c.clientId === client.clientId)).toEqual(client);
  });

  it('private_key_jwt: keys inline or by URL, no secret; SSRF-prone URLs and private keys refused 400', async () => {
    const publicJwk = exportJWK(generateKeyPair('ES256', { kid: 'adm-1' }).publicKey);
    const response = await register({
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [publicJwk] },
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().client_secret).toBeUndefined();
    const { client } = response.json();
    expect(client).toMatchObject({
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [publicJwk] },
      jwksUri: null,
    });
    const path = `/admin/clients/${client.clientId}`;
    const moved = await call('PATCH', path, { jwks: null, jwksUri: 'https://rp.example/jwks' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ jwks: null, jwksUri: 'https://rp.example/jwks' });
    for (const uri of [
      'https://169.254.169.254/latest/meta-data/',
      'https://127.0.0.1/jwks',
      'http://rp.example/j',
    ]) {
      const refused = await call('PATCH', path, { jwksUri: uri });
      expect(refused.statusCode, uri).toBe(400);
      expect(refused.json().error_description).toMatch(/^jwksUri refused/);
    }
    const secretKey = await register({
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' }] },
    });
    expect(secretKey.statusCode).toBe(400);
    expect(secretKey.json().error_description).toMatch(/symmetric/);
    expect(secretKey.body).not.toContain('c2VjcmV0');
  });

  it('defaults for a public client: none and PKCE', async () => {
    const response = await register({ public: true });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().client).toMatchObject({
      tokenEndpointAuthMethod: 'none',
      requirePkce: true,
      backchannelLogoutUri: null,
      postLogoutRedirectUris: [],
    });
  });

  it.each([
    [{ idTokenSignedResponseAlg: 'HS256' }, /idTokenSignedResponseAlg/],
    [{ backchannelLogoutUri: 'http://rp.example/logout' }, /backchannelLogoutUri/],
    [{ postLogoutRedirectUris: ['javascript:alert(1)'] }, /postLogoutRedirectUris/],
    [{ public: true, requirePkce: false }, /requirePkce/],
    [{ tokenEndpointAuthMethod: 'none' }, /tokenEndpointAuthMethod/],
    [{ tokenEndpointAuthMethod: 'private_key_jwt' }, /tokenEndpointAuthMethod/],
    [{ subjectType: 'pairwise' }, /subjectType/],
  ])('refuses %j with 400 naming the field', async (fields, field) => {
    const response = await register(fields);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error_description).toMatch(field);
  });

  it('PATCH changes the fields given and leaves the rest; permissions alone still work', async () => {
    const { client } = (await register({ tokenEndpointAuthMethod: 'client_secret_post' })).json();
    const url = `/admin/clients/${client.clientId}`;
    const patched = await call('PATCH', url, {
      requirePkce: false,
      postLogoutRedirectUris: ['https://rp.example/bye'],
      tokenEndpointAuthMethod: null,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      requirePkce: false,
      postLogoutRedirectUris: ['https://rp.example/bye'],
      tokenEndpointAuthMethod: null,
      redirectUris: ['https://rp.example/cb'],
      permissions: [],
    });
    const permitted = await call('PATCH', url, { permissions: ['introspect'] });
    expect(permitted.statusCode, permitted.body).toBe(200);
    expect(permitted.json()).toMatchObject({ permissions: ['introspect'], requirePkce: false });
    const audit = await t.services.auditTrail.list({
      type: 'admin.client.changed',
      subject: client.clientId,
      limit: 10,
    });
    expect(audit.map((event) => event.details.changed).reverse()).toEqual([
      ['requirePkce', 'postLogoutRedirectUris', 'tokenEndpointAuthMethod'],
      ['permissions'],
    ]);
  });

  it('PATCH refuses a bad value (400, nothing changed), an empty body, and an unknown client (404)', async () => {
    const { client } = (await register({ public: true })).json();
    const url = `/admin/clients/${client.clientId}`;
    const refused = await call('PATCH', url, { requirePkce: false });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error_description).toMatch(/requirePkce: a public client always needs PKCE/);
    expect((await t.services.clients.find(client.clientId))?.requirePkce).toBe(true);
    expect((await call('PATCH', url, {})).statusCode).toBe(400);
    expect((await call('PATCH', '/admin/clients/nobody', { requirePkce: true })).statusCode).toBe(404);
  });
});
