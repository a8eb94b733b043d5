/** Remembered consents through the admin API: list, revoke (sessions too), asked again after. */

import { authorizeUrl, pkce, signInAndConsent } from '@sesame/testkit';
import {
  ALICE,
  createTestApp,
  locationParams,
  loginAdmin,
  PageClient,
  postForm,
  type TestApp,
} from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIRECT } from '../../helpers/authorize.js';

let t: TestApp;
let secret: string;

beforeEach(async () => {
  t = await createTestApp();
  secret = (
    await t.services.clients.create(
      {
        name: 'Quiz Web',
        clientId: 'quiz-web',
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'quiz'],
        redirectUris: [REDIRECT],
      },
      'test',
    )
  ).clientSecret!;
});
afterEach(() => t.close());

async function consentAndExchange(browser: PageClient) {
  const { verifier, challenge } = pkce();
  const params = {
    response_type: 'code',
    client_id: 'quiz-web',
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  const { back: allowed } = await signInAndConsent(browser, authorizeUrl(params), ALICE);
  const tokens = await postForm(t.app, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'quiz-web',
    client_secret: secret,
    code: locationParams(allowed).get('code')!,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  });
  return { params, tokens: tokens.json() as { refresh_token: string } };
}

describe('consents in the admin API', () => {
  it('lists a consent, revokes it with the sessions it allowed, and the user is asked again', async () => {
    const browser = new PageClient(t.app);
    const { params, tokens } = await consentAndExchange(browser);
    const admin = { authorization: `Bearer ${await loginAdmin(t)}` };

    const listed = await t.app.inject({ url: `/admin/users/${t.aliceId}/consents`, headers: admin });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([
      {
        clientId: 'quiz-web',
        scopes: ['openid', 'quiz'],
        createdAt: expect.any(Number),
        updatedAt: expect.any(Number),
      },
    ]);

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/admin/users/${t.aliceId}/consents/quiz-web`,
      headers: admin,
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked).toHaveLength(1);
    const refresh = await postForm(t.app, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: 'quiz-web',
      client_secret: secret,
    });
    expect(refresh.json().error).toBe('invalid_grant');
    const again = await browser.get(authorizeUrl(params));
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('action="/oauth/authorize/consent"');

    const twice = await t.app.inject({
      method: 'DELETE',
      url: `/admin/users/${t.aliceId}/consents/quiz-web`,
      headers: admin,
    });
    expect(twice.statusCode).toBe(404);
    expect(twice.json().error).toBe('not_found');
    const audit = await t.store.listAuditEvents({ type: 'consent.revoked', limit: 5 });
    expect(audit).toHaveLength(1);
  });

  it('answers 404 for an unknown user, and 401 without an admin token', async () => {
    const admin = { authorization: `Bearer ${await loginAdmin(t)}` };
    expect((await t.app.inject({ url: '/admin/users/nobody/consents', headers: admin })).statusCode).toBe(
      404,
    );
    expect((await t.app.inject({ url: `/admin/users/${t.aliceId}/consents` })).statusCode).toBe(401);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/admin/users/${t.aliceId}/consents/quiz-web`,
    });
    expect(deleted.statusCode).toBe(401);
  });
});
