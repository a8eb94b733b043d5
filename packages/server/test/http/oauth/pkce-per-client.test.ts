/**
 * PKCE per client (RFC 9700 §2.1.1): a confidential client registered with requirePkce false may
 * use the code flow without a challenge (OpenID Connect relying parties); a public client, and a
 * confidential one that requires PKCE, may not. The downgrade protection: a code_verifier for a
 * code issued without a challenge is refused, and a code issued with one still needs it.
 */
import { authorizeUrl, pkce, signInAndConsent } from '@sesame/testkit';
import {
  ALICE,
  createTestApp,
  locationParams,
  PageClient,
  postForm,
  type TestApp,
} from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIRECT, registerWebClient } from '../../helpers/authorize.js';

let t: TestApp;
const secrets: Record<string, string> = {};

beforeEach(async () => {
  t = await createTestApp();
  for (const [clientId, requirePkce] of [
    ['rp-no-pkce', false],
    ['rp-pkce', true],
  ] as const) {
    secrets[clientId] = (await registerWebClient(t, clientId, { requirePkce }))!;
  }
  await registerWebClient(t, 'spa', { type: 'public', scopes: ['openid'] });
});
afterEach(() => t.close());

const params = (clientId: string, extra: Record<string, string> = {}) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: REDIRECT,
  scope: 'openid',
  state: 'st',
  ...extra,
});

/** Signs alice in and consents; answers the redirect back to the client. */
async function authorize(query: Record<string, string>) {
  const { back } = await signInAndConsent(new PageClient(t.app), authorizeUrl(query), ALICE);
  return back;
}

/** The first redirect, without signing in: an error the request is refused with before any page. */
const firstAnswer = (query: Record<string, string>) => new PageClient(t.app).get(authorizeUrl(query));

const exchange = (clientId: string, fields: Record<string, string>) =>
  postForm(t.app, '/oauth/token', {
    grant_type: 'authorization_code',
    client_id: clientId,
    client_secret: secrets[clientId]!,
    redirect_uri: REDIRECT,
    ...fields,
  });

describe('PKCE per client', () => {
  it('a confidential client with requirePkce false logs a user in without PKCE', async () => {
    const back = await authorize(params('rp-no-pkce'));
    expect(back.statusCode, back.body).toBe(303);
    const code = locationParams(back).get('code')!;
    const tokens = await exchange('rp-no-pkce', { code });
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(tokens.json().access_token).toEqual(expect.any(String));
  });

  it('refuses a request without code_challenge for a confidential client that requires PKCE, and for a public one', async () => {
    for (const clientId of ['rp-pkce', 'spa']) {
      const answer = await firstAnswer(params(clientId));
      expect(answer.statusCode, clientId).toBe(302);
      const back = locationParams(answer);
      expect(back.get('error'), clientId).toBe('invalid_request');
      expect(back.get('error_description'), clientId).toMatch(/code_challenge is required/);
    }
  });

  it('a public client needs PKCE even if its stored row says otherwise (written around the validation)', async () => {
    await t.store.updateClient('spa', { requirePkce: false, updatedAt: t.clock.now() });
    const answer = await firstAnswer(params('spa'));
    expect(locationParams(answer).get('error_description')).toMatch(/code_challenge is required/);
  });

  it('still checks a challenge a client without required PKCE sends: S256 only', async () => {
    const { challenge } = pkce();
    const plain = await firstAnswer(
      params('rp-no-pkce', { code_challenge: challenge, code_challenge_method: 'plain' }),
    );
    expect(locationParams(plain).get('error_description')).toMatch(/S256/);
    const methodOnly = await firstAnswer(params('rp-no-pkce', { code_challenge_method: 'S256' }));
    expect(locationParams(methodOnly).get('error')).toBe('invalid_request');
  });

  it('downgrade: a code_verifier for a code issued without a challenge is invalid_grant, and the code stays good', async () => {
    const code = locationParams(await authorize(params('rp-no-pkce'))).get('code')!;
    const downgraded = await exchange('rp-no-pkce', { code, code_verifier: pkce().verifier });
    expect(downgraded.statusCode).toBe(400);
    expect(downgraded.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'a code_verifier was sent for a code issued without a code_challenge',
    });
    expect((await exchange('rp-no-pkce', { code })).statusCode).toBe(200);
  });

  it('a code issued with a challenge still needs its verifier, even for a client without required PKCE', async () => {
    const { verifier, challenge } = pkce();
    const query = params('rp-no-pkce', { code_challenge: challenge, code_challenge_method: 'S256' });
    const code = locationParams(await authorize(query)).get('code')!;
    const without = await exchange('rp-no-pkce', { code });
    expect(without.statusCode).toBe(400);
    expect(without.json().error).toBe('invalid_request');
    const wrong = await exchange('rp-no-pkce', { code, code_verifier: pkce().verifier });
    expect(wrong.json().error).toBe('invalid_grant');
    expect((await exchange('rp-no-pkce', { code, code_verifier: verifier })).statusCode).toBe(200);
  });
});
