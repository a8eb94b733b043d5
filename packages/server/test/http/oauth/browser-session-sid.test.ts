/**
 * The browser session behind the code flow: the ID token's `sid` names it (not the refresh family,
 * which the access token's `sid` names), across clients and across codes; signing out of it ends
 * every refresh family born from it, whichever client holds it, and the access tokens of those
 * families; a code redeemed after its session ended gives nothing.
 */
import { formFields, pkce } from '@sesame/testkit';
import { ADMIN, createTestApp, PageClient, type TestApp } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accessWorks,
  authorize,
  exchange,
  redeem,
  refreshStatus,
  signInTo,
  verifyIdToken,
  type WebClient,
  webClient,
} from '../../helpers/code-flow.js';

let t: TestApp;
let webA: WebClient;
let webB: WebClient;
let noRefresh: WebClient;

beforeEach(async () => {
  t = await createTestApp();
  webA = await webClient(t, 'web-a');
  webB = await webClient(t, 'web-b');
  noRefresh = await webClient(t, 'web-c', { refresh: false });
});
afterEach(() => t.close());

/** The consent page's "not you?" form: the way to sign out before the end-session endpoint. */
async function signOutFromConsent(browser: PageClient, clientId: string) {
  const page = await browser.get(
    `/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: 'https://client.example/callback',
      scope: 'openid',
      prompt: 'consent',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    })}`,
  );
  const answer = await browser.post(
    '/oauth/authorize/logout',
    formFields(page.body, '/oauth/authorize/logout'),
  );
  expect(answer.statusCode).toBe(303);
}

describe('the sid of the browser session', () => {
  it('is the same for every client and code of one browser session, and another for another browser', async () => {
    const browser = new PageClient(t.app);
    const a = await signInTo(t, browser, webA);
    const b = await signInTo(t, browser, webB);
    const c = await signInTo(t, browser, noRefresh);
    const sids = await Promise.all(
      [
        [a, webA],
        [b, webB],
        [c, noRefresh],
      ].map(([tokens, client]) =>
        verifyIdToken(t, (tokens as { id_token: string }).id_token, (client as WebClient).id),
      ),
    );
    expect(new Set(sids.map((payload) => payload.sid)).size).toBe(1);
    expect(sids[0]!.sid).toMatch(/^[\w-]{22}$/);
    // The client without refresh has no family, and its ID token still names the session.
    expect(c).not.toHaveProperty('refresh_token');

    const elsewhere = await signInTo(t, new PageClient(t.app), webA);
    expect((await verifyIdToken(t, elsewhere.id_token, 'web-a')).sid).not.toBe(sids[0]!.sid);
  });

  it('is never the cookie, nor its hash (the store key)', async () => {
    const browser = new PageClient(t.app);
    const { sid } = await verifyIdToken(t, (await signInTo(t, browser, webA)).id_token, 'web-a');
    const cookie = [...browser.cookies.values()];
    expect(cookie.some((value) => value.includes(sid as string))).toBe(false);
    const [record] = await t.store.endUserBrowserSessions(t.aliceId, t.clock.now());
    expect(record!.sid).toBe(sid);
    expect(record!.id).not.toBe(sid);
  });
});

describe('signing out of a browser session', () => {
  it('revokes every refresh family born from it, for every client, and their access tokens', async () => {
    const browser = new PageClient(t.app);
    const a = await signInTo(t, browser, webA);
    const b = await signInTo(t, browser, webB);
    const other = await signInTo(t, new PageClient(t.app), webA);
    expect(await accessWorks(t, a.access_token)).toBe(true);

    await signOutFromConsent(browser, 'web-a');

    expect(await refreshStatus(t, webA, a.refresh_token!)).toBe(400);
    expect(await refreshStatus(t, webB, b.refresh_token!)).toBe(400);
    expect(await accessWorks(t, a.access_token)).toBe(false);
    expect(await accessWorks(t, b.access_token)).toBe(false);
    // Another browser's session of the same user is not this one.
    expect(await accessWorks(t, other.access_token)).toBe(true);
    expect(await refreshStatus(t, webA, other.refresh_token!)).toBe(200);

    const [logout] = await t.store.listAuditEvents({ type: 'logout', limit: 5 });
    expect(logout).toMatchObject({
      actor: t.aliceId,
      subject: t.aliceId,
      clientId: 'web-a',
      details: { via: 'authorize', families: 2 },
    });
  });

  it('gives nothing for a code redeemed after its session ended, and takes back what it minted', async () => {
    const browser = new PageClient(t.app);
    await signInTo(t, browser, webA);
    const pending = await authorize(browser, 'web-b');
    await signOutFromConsent(browser, 'web-a');
    const late = await redeem(t, webB, pending);
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ error: 'invalid_grant' });
    expect(late.body).not.toContain('access_token');
    const families = await t.services.sessions.listForUser(t.aliceId);
    expect(families).toEqual([]);
  });

  it('leaves the sessions of other users alone', async () => {
    const admin = await t.services.users.find({ username: ADMIN.username });
    await t.services.users.change(admin!, { scopes: ['openid', 'admin', 'quiz'] }, 'test');
    const alice = new PageClient(t.app);
    const ofAlice = await signInTo(t, alice, webA);
    const ofAdmin = await exchange(t, webA, await authorize(new PageClient(t.app), 'web-a', {}, ADMIN));
    await signOutFromConsent(alice, 'web-a');
    expect(await refreshStatus(t, webA, ofAlice.refresh_token!)).toBe(400);
    expect(await refreshStatus(t, webA, ofAdmin.refresh_token!)).toBe(200);
  });
});
