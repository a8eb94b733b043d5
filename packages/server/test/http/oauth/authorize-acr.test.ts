/**
 * `acr` (OpenID Connect Core §2): every ID token says the one authentication context class Sesame
 * meets, a password on the login page (`urn:sesame:acr:pwd`), on the code exchange and on refresh;
 * `acr_values` is a voluntary request (§3.1.2.1), so asking for another class changes nothing.
 */
import { createTestApp, PageClient, type TestApp } from '@sesame/testkit/app';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  exchange,
  refresh,
  verifyIdToken,
  type WebClient,
  webClient,
} from '../../helpers/code-flow.js';

const ACR = 'urn:sesame:acr:pwd';
let t: TestApp;
let web: WebClient;

beforeEach(async () => {
  t = await createTestApp();
  web = await webClient(t, 'web-a');
});
afterEach(() => t.close());

describe('acr', () => {
  it('is in the ID token of the code exchange and of each refresh', async () => {
    const tokens = await exchange(t, web, await authorize(new PageClient(t.app), web.id));
    expect((await verifyIdToken(t, tokens.id_token, web.id)).acr).toBe(ACR);
    const refreshed = await refresh(t, web, tokens.refresh_token!);
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect((await verifyIdToken(t, refreshed.json().id_token, web.id)).acr).toBe(ACR);
  });

  it.each([
    ['another class', 'urn:mace:incommon:iap:silver'],
    ['Core’s level 0', '0'],
    ['several, ours last', `urn:example:mfa ${ACR}`],
  ])('acr_values naming %s is voluntary: the ID token says what was met', async (_name, acrValues) => {
    const grant = await authorize(new PageClient(t.app), web.id, { acr_values: acrValues });
    const { id_token: idToken } = await exchange(t, web, grant);
    expect(decodeJwt(idToken).acr).toBe(ACR);
  });

  it('discovery lists the one class', async () => {
    const metadata = (await t.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(metadata.acr_values_supported).toEqual([ACR]);
    expect(metadata.claims_supported).toContain('acr');
  });
});
