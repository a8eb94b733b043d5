import { decode } from '@sesame/jwt';
import { ALICE, basic, createTestApp, loginAlice, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'the-classic-shared-secret-32-bytes-long!';
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ tokenProfile: 'classic', hmacSecret: SECRET, audience: 'quiz-api' });
});
afterAll(async () => t.close());

describe('classic token profile', () => {
  it('reproduces the classic payload exactly: HS256, scopes as an array, 7-day life', async () => {
    const session = await loginAlice(t);
    expect(session.expires_in).toBe(7 * 86_400);
    const { header, payload } = decode(session.access_token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(payload)).toEqual(['iss', 'iat', 'exp', 'aud', 'sub', 'username', 'scopes']);
    expect(payload).toMatchObject({
      iss: 'http://127.0.0.1:8080',
      aud: 'quiz-api',
      sub: t.aliceId,
      username: 'alice',
      scopes: ['openid', 'quiz'],
    });
    expect(payload.exp! - payload.iat!).toBe(7 * 86_400);
    // nothing is published: the secret is shared, not a public key
    expect((await t.app.inject({ url: '/.well-known/jwks.json' })).json()).toEqual({ keys: [] });
  });

  it('works with userinfo, revocation and introspection like the default profile', async () => {
    const session = await loginAlice(t);
    const me = await t.app.inject({
      url: '/userinfo',
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(me.json()).toMatchObject({ username: 'alice', scopes: ['openid', 'quiz'] });
    await postForm(t.app, '/oauth/revoke', { token: session.access_token, client_id: t.publicId });
    const introspected = await postForm(
      t.app,
      '/oauth/introspect',
      { token: session.access_token },
      {
        authorization: basic(t.confidential.id, t.confidential.secret),
      },
    );
    expect(introspected.json()).toEqual({ active: false });
  });

  it('refuses a token signed with another secret', async () => {
    const other = await createTestApp({ tokenProfile: 'classic', hmacSecret: `${SECRET}-other` });
    try {
      const foreign = await postForm(other.app, '/oauth/token', {
        grant_type: 'password',
        client_id: other.publicId,
        ...ALICE,
      });
      const response = await t.app.inject({
        url: '/userinfo',
        headers: { authorization: `Bearer ${foreign.json().access_token}` },
      });
      expect(response.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});
