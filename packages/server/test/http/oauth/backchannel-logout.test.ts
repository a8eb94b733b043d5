/**
 * Back-channel logout through the app (app.inject) to real local receivers: every way a browser
 * session ends — the end-session endpoint, disabling the user, a new password, the admin API
 * ending the user's sessions or one of them — tells each client that got tokens through it, with a
 * logout token it verifies against the published JWKS; a client never gets another's token, nor
 * one for a session it had no part in; the logout does not wait for the receivers.
 */

import { type LogoutReceiver, startLogoutReceiver } from '@sesame/testkit';
import { ADMIN, adminApi, createTestApp, PageClient, type TestApp } from '@sesame/testkit/app';
import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  exchange,
  ISSUER,
  signInTo,
  type Tokens,
  verifyIdToken,
  type WebClient,
  webClient,
} from '../../helpers/code-flow.js';
import { verifyLogoutToken } from '../../helpers/logout-receiver.js';

let t: TestApp;
let rp: LogoutReceiver;
let webA: WebClient;
let webB: WebClient;
let silent: WebClient;

async function setUp(
  values: Record<string, unknown> = {},
  answer?: Parameters<typeof startLogoutReceiver>[0],
) {
  rp = await startLogoutReceiver(answer);
  t = await createTestApp(values);
  webA = await webClient(t, 'web-a', { backchannelLogoutUri: `${rp.base}/a` });
  webB = await webClient(t, 'web-b', { backchannelLogoutUri: `${rp.base}/b` });
  silent = await webClient(t, 'web-silent'); // registered no back-channel URI
  // Listens, but the user never signs in to it: it must never hear of the user's sessions.
  await webClient(t, 'bystander', { backchannelLogoutUri: `${rp.base}/bystander` });
}
afterEach(async () => {
  await t.close();
  await rp.close();
});

/** A browser signed in to web-a, web-b and the silent client: the three ID tokens. */
async function signedInEverywhere(): Promise<{ browser: PageClient; a: Tokens; b: Tokens; sid: string }> {
  const browser = new PageClient(t.app);
  const a = await signInTo(t, browser, webA);
  const b = await signInTo(t, browser, webB);
  await signInTo(t, browser, silent);
  const { sid } = await verifyIdToken(t, a.id_token, 'web-a');
  return { browser, a, b, sid: sid as string };
}

/** What the receiver got, verified as each client would: path → the logout token's claims. */
async function delivered(): Promise<Record<string, Record<string, unknown>>> {
  await t.services.backchannelLogout.settled();
  const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json();
  const byPath: Record<string, Record<string, unknown>> = {};
  for (const got of rp.received) {
    const audience = { '/a': 'web-a', '/b': 'web-b', '/bystander': 'bystander' }[got.path]!;
    byPath[got.path] = await verifyLogoutToken(got.fields.logout_token!, jwks, {
      issuer: ISSUER,
      audience,
      currentDate: new Date(t.clock.now()),
    });
  }
  return byPath;
}

describe('back-channel logout (the default profile, ES256)', () => {
  beforeEach(() => setUp());

  it('the end-session endpoint tells each listening client of the session, with its own token', async () => {
    const { browser, a, sid } = await signedInEverywhere();
    const answer = await browser.get(`/oauth/logout?${new URLSearchParams({ id_token_hint: a.id_token })}`);
    expect(answer.statusCode).toBe(200);
    const got = await delivered();
    expect(Object.keys(got).sort()).toEqual(['/a', '/b']);
    const expected: [string, string][] = [
      ['/a', 'web-a'],
      ['/b', 'web-b'],
    ];
    for (const [path, client] of expected) {
      expect(got[path]).toMatchObject({ iss: ISSUER, aud: client, sub: t.aliceId, sid });
    }
    expect(got['/a']!.jti).not.toBe(got['/b']!.jti);
    const [logout] = await t.store.listAuditEvents({ type: 'logout', limit: 1 });
    expect(logout!.details.clients).toEqual(['web-a', 'web-b', 'web-silent']);
    const outcomes = await t.store.listAuditEvents({ type: 'logout.backchannel', limit: 10 });
    expect(outcomes.map((event) => [event.clientId, event.details.result]).sort()).toEqual([
      ['web-a', 'delivered'],
      ['web-b', 'delivered'],
    ]);
  });

  it("signs each client's logout token with its ID tokens' algorithm: RS256 for a client registered for it", async () => {
    await t.services.clients.change('web-b', { idTokenSignedResponseAlg: 'RS256' }, 'test');
    const { browser, a, b } = await signedInEverywhere();
    expect(decodeProtectedHeader(b.id_token).alg).toBe('RS256');
    await browser.get(`/oauth/logout?${new URLSearchParams({ id_token_hint: a.id_token })}`);
    expect(Object.keys(await delivered()).sort()).toEqual(['/a', '/b']); // each verifies for its client
    const headers = Object.fromEntries(
      rp.received.map((got) => [got.path, decodeProtectedHeader(got.fields.logout_token!)]),
    );
    expect(headers['/a']).toMatchObject({
      alg: 'ES256',
      typ: 'logout+jwt',
      kid: t.services.keys.signingKey().kid,
    });
    expect(headers['/b']).toMatchObject({
      alg: 'RS256',
      typ: 'logout+jwt',
      kid: t.services.keys.signingKey('RS256').kid,
    });
  });

  it('tells only the clients of the session that ended, once each', async () => {
    const first = await signedInEverywhere();
    const other = new PageClient(t.app);
    await signInTo(t, other, webA); // another browser: another session of the same user
    await first.browser.get(`/oauth/logout?${new URLSearchParams({ id_token_hint: first.a.id_token })}`);
    await delivered();
    expect(rp.received.map((got) => got.path).sort()).toEqual(['/a', '/b']);
    // The session is over: signing out again (its old hint, no session) tells nobody again.
    await first.browser.get(`/oauth/logout?${new URLSearchParams({ id_token_hint: first.a.id_token })}`);
    await delivered();
    expect(rp.received).toHaveLength(2);
  });

  it('disabling the user, or a new password, tells the clients of every session of the user', async () => {
    for (const change of [{ disabled: true }, { password: 'a brand new password 1' }]) {
      const one = await signedInEverywhere();
      const two = new PageClient(t.app);
      await signInTo(t, two, webB);
      const sidTwo = (await verifyIdToken(t, (await signInTo(t, two, webA)).id_token, 'web-a')).sid;
      rp.received.length = 0;
      const alice = await t.services.users.find({ id: t.aliceId });
      await t.services.users.change(alice!, change, 'cli');
      await t.services.backchannelLogout.settled();
      const sids = rp.received.map((got) => {
        const claims = JSON.parse(
          Buffer.from(got.fields.logout_token!.split('.')[1]!, 'base64url').toString(),
        );
        return `${got.path} ${claims.sid === one.sid ? 'one' : claims.sid === sidTwo ? 'two' : '?'}`;
      });
      expect(sids.sort()).toEqual(['/a one', '/a two', '/b one', '/b two']);
      await t.services.users.change(alice!, { disabled: false }, 'cli');
    }
  });

  it('another user signing in on the same browser ends the first user’s session and tells its clients', async () => {
    const admin = await t.services.users.find({ username: ADMIN.username });
    await t.services.users.change(admin!, { scopes: ['openid', 'admin', 'quiz'] }, 'test');
    const { browser, sid } = await signedInEverywhere();
    await exchange(t, webA, await authorize(browser, 'web-a', { prompt: 'login' }, ADMIN));
    const got = await delivered();
    expect(Object.keys(got).sort()).toEqual(['/a', '/b']);
    expect(got['/a']).toMatchObject({ sub: t.aliceId, sid });
  });

  it('the admin API ending all of a user’s sessions, or one family, tells the right clients', async () => {
    const admin = await adminApi(t);
    const { b } = await signedInEverywhere();
    const family = t.services.accessTokens.verify(b.access_token).sid!;
    expect((await admin('DELETE', `/admin/sessions/${family}`)).statusCode).toBe(204);
    expect(Object.keys(await delivered())).toEqual(['/b']); // that family's client only
    rp.received.length = 0;
    expect((await admin('DELETE', `/admin/users/${t.aliceId}/sessions`)).statusCode).toBe(200);
    expect(Object.keys(await delivered()).sort()).toEqual(['/a', '/b']);
  });
});

describe('back-channel logout beside the request', () => {
  beforeEach(() => setUp({}, () => 'hang'));

  it('answers the logout while the receivers have not answered yet', async () => {
    const { browser, a } = await signedInEverywhere();
    const answer = await browser.get(`/oauth/logout?${new URLSearchParams({ id_token_hint: a.id_token })}`);
    expect(answer.statusCode).toBe(200);
    await rp.arrived(2);
    expect(await t.store.listAuditEvents({ type: 'logout.backchannel', limit: 10 })).toEqual([]);
    rp.release();
    await t.services.backchannelLogout.settled();
    expect(await t.store.listAuditEvents({ type: 'logout.backchannel', limit: 10 })).toHaveLength(2);
  });
});

describe('back-channel logout in HMAC mode', () => {
  beforeEach(() =>
    setUp({ tokenProfile: 'classic', hmacSecret: 'the-classic-shared-secret-32-bytes-long!' }),
  );

  it('sends nothing (a shared secret would let anyone forge a logout) and advertises nothing', async () => {
    const browser = new PageClient(t.app);
    await signInTo(t, browser, webA); // an access token, no ID token in this mode
    const alice = await t.services.users.find({ id: t.aliceId });
    await t.services.users.change(alice!, { disabled: true }, 'cli');
    await t.services.backchannelLogout.settled();
    expect(rp.received).toEqual([]);
    expect(await t.store.listAuditEvents({ type: 'logout.backchannel', limit: 1 })).toEqual([]);
    const metadata = (await t.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(metadata).not.toHaveProperty('backchannel_logout_supported');
  });
});
