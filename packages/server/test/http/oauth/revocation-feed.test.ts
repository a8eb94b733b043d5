import { basic, createTestApp, loginAlice, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
let auth: string;
beforeAll(async () => {
  t = await createTestApp();
  auth = basic(t.confidential.id, t.confidential.secret);
});
afterAll(async () => t.close());

const page = (query = '', authorization: string | null = auth) =>
  t.app.inject({
    method: 'GET',
    url: `/oauth/revocations${query}`,
    headers: authorization === null ? {} : { authorization },
  });

async function revokeAccessToken(): Promise<string> {
  const { access_token } = await loginAlice(t);
  const response = await postForm(t.app, '/oauth/revoke', { token: access_token, client_id: t.publicId });
  expect(response.statusCode).toBe(200);
  return access_token;
}

describe('GET /oauth/revocations', () => {
  it('lists revocations as NumericDate entries after a cursor, with more and cursor', async () => {
    const first = await page();
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const start = first.json().cursor as string;
    await revokeAccessToken();
    await revokeAccessToken();
    const all = (await page(`?since=${start}`)).json();
    expect(all.entries).toHaveLength(2);
    expect(all.more).toBe(false);
    const [entry] = all.entries;
    expect(entry).toMatchObject({ kind: 'jti', value: expect.any(String) });
    expect(Number.isInteger(entry.expires_at) && entry.expires_at < 2 ** 32).toBe(true);
    expect(entry.issued_before).toBeUndefined();
    expect(all.cursor).toBe(String(all.entries[1].seq));

    const one = (await page(`?since=${start}&limit=1`)).json();
    expect(one).toMatchObject({ more: true, cursor: String(entry.seq) });
    const rest = (await page(`?since=${one.cursor}&limit=1`)).json();
    expect(rest.entries[0].seq).toBe(all.entries[1].seq);
    expect((await page(`?since=${all.cursor}`)).json()).toEqual({
      cursor: all.cursor,
      entries: [],
      more: false,
    });
  });

  it('leaves out entries whose tokens have all expired', async () => {
    const before = (await page()).json().entries.length;
    t.clock.advance(3600_000);
    expect((await page()).json().entries.length).toBeLessThan(before);
    t.clock.advance(-3600_000);
  });

  it('requires a confidential client over HTTP Basic', async () => {
    const none = await page('', null);
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toBe('invalid_client');
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    expect((await page('', basic(t.confidential.id, 'wrong'))).statusCode).toBe(401);
    expect((await page('', basic(t.publicId, ''))).statusCode).toBe(401);
  });

  it.each(['?since=abc', '?since=-1', '?limit=0', '?limit=5000', '?since=1e3'])(
    'refuses %s with 400',
    async (query) => {
      const response = await page(query);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_request');
    },
  );
});

describe('GET /oauth/revocations/stream', () => {
  it('requires client authentication before streaming', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/oauth/revocations/stream' });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a bad Last-Event-ID', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/oauth/revocations/stream',
      headers: { authorization: auth, 'last-event-id': 'x' },
    });
    expect(response.statusCode).toBe(400);
  });
});
