/**
 * The login throttle through every route that checks a password (the password grant and the login
 * page of the code flow): failures from one address do not lock out the other users of that address.
 */

import { authorizeUrl, pkce, signIn } from '@sesame/testkit';
import { ALICE, createTestApp, PageClient, postForm, type TestApp } from '@sesame/testkit/app';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIRECT, registerWebClient } from '../../helpers/authorize.js';

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
  await registerWebClient(t, 'quiz-web');
});
afterEach(() => t.close());

const grant = (username: string, password: string) =>
  postForm(t.app, '/oauth/token', { grant_type: 'password', client_id: t.publicId, username, password });

/** One sign-in on the login page, in a fresh browser; answers the login form's response. */
async function pageLogin(username: string, password: string) {
  const browser = new PageClient(t.app);
  const params = {
    response_type: 'code',
    client_id: 'quiz-web',
    redirect_uri: REDIRECT,
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  };
  return (await signIn(browser, authorizeUrl(params), { username, password })).signedIn;
}

/** 11 paced failures for made-up usernames from this (the inject) address, through `route`. */
async function sprayMadeUpUsernames(route: typeof grant) {
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    statuses.push((await route(`made-up-${i}`, 'guess')).statusCode);
    t.clock.advance(1000);
  }
  return statuses;
}

describe('an address that failed for made-up usernames', () => {
  it('still lets a real user with the right password in through the password grant', async () => {
    expect(await sprayMadeUpUsernames(grant)).toEqual(Array(11).fill(400));
    const response = await grant(ALICE.username, ALICE.password);
    expect(response.statusCode, response.body).toBe(200);
  });

  it('still lets a real user with the right password in through the login page', async () => {
    expect(await sprayMadeUpUsernames(pageLogin)).toEqual(Array(11).fill(400));
    const response = await pageLogin(ALICE.username, ALICE.password);
    expect(response.statusCode, response.body).toBe(303);
    expect(String(response.headers['set-cookie'])).toMatch(/sesame-session=/);
  });

  it('slows the usernames it failed on, by at most 30 s after the last failure on each', async () => {
    await sprayMadeUpUsernames(grant);
    const again = await grant('made-up-3', 'guess');
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(30);
    // A user who mistyped from there waits the address's back-off, then gets in: both routes.
    expect((await grant(ALICE.username, 'typo')).statusCode).toBe(400);
    const slowed = await pageLogin(ALICE.username, ALICE.password);
    expect(slowed.statusCode).toBe(429);
    const wait = Number(slowed.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(30);
    t.clock.advance(wait * 1000);
    expect((await grant(ALICE.username, ALICE.password)).statusCode).toBe(200);
  });
});

describe('logins refused with 429', () => {
  const throttledRows = async () =>
    (await t.store.listAuditEvents({ type: 'login.throttled', limit: 1000 })).reverse();

  it('are audited, aggregated: 197 refusals of one address and username leave 8 rows with counts', async () => {
    for (let i = 0; i < 6; i++) await grant(ALICE.username, `wrong ${i}`);
    const statuses = new Set<number>();
    for (let i = 0; i < 197; i++) statuses.add((await grant(ALICE.username, ALICE.password)).statusCode);
    expect([...statuses]).toEqual([429]);
    const rows = await throttledRows();
    expect(rows.map((row) => row.details.refused)).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    expect(rows[0]).toMatchObject({ subject: t.aliceId, clientId: t.publicId, ip: '127.0.0.1' });
    expect(rows[0]!.details.retryAfter).toBeGreaterThan(0);
    // The trail never holds what was typed as the username or the password.
    expect(JSON.stringify(rows)).not.toContain(ALICE.password);
    expect(JSON.stringify(rows)).not.toContain('"alice"');
  });

  it('are audited from the login page too, and per address and username', async () => {
    await sprayMadeUpUsernames(pageLogin);
    for (let i = 0; i < 3; i++) expect((await pageLogin('made-up-1', 'guess')).statusCode).toBe(429);
    for (let i = 0; i < 3; i++) expect((await grant('made-up-2', 'guess')).statusCode).toBe(429);
    const rows = await throttledRows();
    expect(rows.map((row) => [row.details.refused, row.details.via ?? 'token', row.subject])).toEqual([
      [1, 'authorize', null],
      [2, 'authorize', null],
      [1, 'token', null],
      [2, 'token', null],
    ]);
  });
});

describe('the client address behind a proxy', () => {
  /** A login through a proxy at 10.0.0.2 that appends the client's address to X-Forwarded-For. */
  const viaProxy = (app: TestApp, username: string, forwardedFor: string) =>
    app.app.inject({
      method: 'POST',
      url: '/oauth/token',
      remoteAddress: '10.0.0.2',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
      payload: new URLSearchParams({
        grant_type: 'password',
        client_id: app.publicId,
        username,
        password: 'guess',
      }).toString(),
    });

  it.each([
    ['a hop count', 1],
    ["the proxy's address", ['10.0.0.2']],
    ["the proxy's network", ['10.0.0.0/8']],
  ])('with %s, a client rotating X-Forwarded-For is still one address', async (_name, trustProxy) => {
    const proxied = await createTestApp({ trustProxy });
    try {
      const rounds: number[][] = [[], []];
      for (const round of rounds) {
        for (let i = 0; i < 12; i++) {
          // The client writes the left part; the proxy appends what it saw: 198.51.100.9.
          const response = await viaProxy(
            proxied,
            `user${i}`,
            `203.0.113.${Math.floor(Math.random() * 250)}, 198.51.100.9`,
          );
          round.push(response.statusCode);
        }
      }
      expect(rounds[0]).toEqual(Array(12).fill(400));
      expect(rounds[1]).toEqual(Array(12).fill(429));
      const failed = await proxied.store.listAuditEvents({ type: 'login.failed', limit: 100 });
      expect(new Set(failed.map((event) => event.ip))).toEqual(new Set(['198.51.100.9']));
    } finally {
      await proxied.close();
    }
  });

  it('without trustProxy, X-Forwarded-For is ignored: the proxy itself is the address', async () => {
    const response = await viaProxy(t, 'someone', '198.51.100.9');
    expect(response.statusCode).toBe(400);
    const [failed] = await t.store.listAuditEvents({ type: 'login.failed', limit: 1 });
    expect(failed!.ip).toBe('10.0.0.2');
  });
});
