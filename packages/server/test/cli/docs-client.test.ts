/**
 * The `sesame-docs` client of /docs: the code flow with PKCE (RFC 9700 §2.4: no password grant), its
 * redirect URI the page's oauth2-redirect under the current issuer; a store set up by an earlier
 * Sesame (password grant, no redirect URI) is brought up to date on start.
 */

import { createTestApp, postForm, type TestApp } from '@sesame/testkit/app';
import { afterEach, describe, expect, it } from 'vitest';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('sesame-docs', () => {
  it('is made on first start for the code flow, with the page under the issuer as redirect URI', async () => {
    t = await createTestApp({ issuer: 'http://sesame.internal:8080' });
    await t.services.firstStart();
    const client = await t.store.findClient('sesame-docs');
    expect(client).toMatchObject({
      type: 'public',
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'admin'],
      redirectUris: ['http://sesame.internal:8080/docs/static/oauth2-redirect.html'],
    });
  });

  it("moves an earlier store's password-grant client to the code flow on start, and follows the issuer", async () => {
    t = await createTestApp({ issuer: 'https://id.example.com' });
    await t.services.clients.create(
      {
        clientId: 'sesame-docs',
        name: 'Sesame API docs',
        type: 'public',
        grantTypes: ['password', 'refresh_token'],
        scopes: ['openid', 'admin'],
      },
      'test',
    );
    await t.store.initSetting('first_start_done', 'earlier');
    const before = await postForm(t.app, '/oauth/token', {
      grant_type: 'password',
      client_id: 'sesame-docs',
      username: 'root',
      password: 'admin password 1',
    });
    expect(before.statusCode).toBe(200);

    expect(await t.services.firstStart()).toBeUndefined(); // nothing printed again
    expect(await t.store.findClient('sesame-docs')).toMatchObject({
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['https://id.example.com/docs/static/oauth2-redirect.html'],
    });
    const after = await postForm(t.app, '/oauth/token', {
      grant_type: 'password',
      client_id: 'sesame-docs',
      username: 'root',
      password: 'admin password 1',
    });
    expect(after.statusCode).toBe(400);
    expect(after.json().error).toBe('unauthorized_client');
  });

  it('is not brought back once removed', async () => {
    t = await createTestApp();
    await t.store.initSetting('first_start_done', 'earlier');
    await t.services.firstStart();
    expect(await t.store.findClient('sesame-docs')).toBeUndefined();
  });
});
