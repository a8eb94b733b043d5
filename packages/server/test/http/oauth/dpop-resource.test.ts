import { dpopKey } from '@sesame/testkit';
import { ADMIN, ALICE, basic, createTestApp, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** RFC 9449 §7 at Sesame's own resource routes (/userinfo, /admin/*) and §6.2 at introspection. */

const ISSUER = 'http://127.0.0.1:8080';
const USERINFO = `${ISSUER}/userinfo`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const nowS = () => Math.floor(t.clock.now() / 1000);
type Key = ReturnType<typeof dpopKey>;

async function boundToken(key: Key, who: { username: string; password: string } = ALICE): Promise<string> {
  const response = await postForm(
    t.app,
    '/oauth/token',
    { grant_type: 'password', client_id: t.publicId, ...who },
    { dpop: key.proof({ htm: 'POST', htu: `${ISSUER}/oauth/token`, iat: nowS() }) },
  );
  expect(response.json().token_type).toBe('DPoP');
  return response.json().access_token;
}

const userinfo = (authorization: string, proof?: string) =>
  t.app.inject({
    method: 'GET',
    url: '/userinfo',
    headers: proof === undefined ? { authorization } : { authorization, dpop: proof },
  });
const challenge = (response: { headers: Record<string, unknown> }) =>
  String(response.headers['www-authenticate']);

describe('/userinfo with a DPoP-bound token', () => {
  it('answers under the DPoP scheme with a proof for this request and this token', async () => {
    const key = dpopKey();
    const token = await boundToken(key);
    const response = await userinfo(
      `DPoP ${token}`,
      key.proof({ htm: 'GET', htu: USERINFO, accessToken: token, iat: nowS() }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json().sub).toBe(t.aliceId);
  });

  it('refuses it as a Bearer token: 401 invalid_token with a DPoP challenge and its algs', async () => {
    const token = await boundToken(dpopKey());
    const response = await userinfo(`Bearer ${token}`);
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_token');
    expect(challenge(response)).toMatch(/^DPoP realm="sesame", error="invalid_token", .*algs="ES256 /);
  });

  it('refuses it without a proof, with ath of another token, by another key, or replayed', async () => {
    const key = dpopKey();
    const token = await boundToken(key);
    const other = await boundToken(key);
    const cases = [
      undefined,
      key.proof({ htm: 'GET', htu: USERINFO, iat: nowS() }), // no ath
      key.proof({ htm: 'GET', htu: USERINFO, accessToken: other, iat: nowS() }),
      dpopKey().proof({ htm: 'GET', htu: USERINFO, accessToken: token, iat: nowS() }),
      key.proof({ htm: 'POST', htu: USERINFO, accessToken: token, iat: nowS() }),
      key.proof({ htm: 'GET', htu: `${ISSUER}/admin/users`, accessToken: token, iat: nowS() }),
    ];
    for (const proof of cases) {
      const response = await userinfo(`DPoP ${token}`, proof);
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_dpop_proof');
      expect(challenge(response)).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
    }
    const proof = key.proof({ htm: 'GET', htu: USERINFO, accessToken: token, iat: nowS() });
    expect((await userinfo(`DPoP ${token}`, proof)).statusCode).toBe(200);
    const replayed = await userinfo(`DPoP ${token}`, proof);
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error).toBe('invalid_dpop_proof');
  });

  it('refuses an unbound token under the DPoP scheme, and still serves it as Bearer', async () => {
    const plain = await postForm(t.app, '/oauth/token', {
      grant_type: 'password',
      client_id: t.publicId,
      ...ALICE,
    });
    const token = plain.json().access_token;
    const key = dpopKey();
    const refused = await userinfo(
      `DPoP ${token}`,
      key.proof({ htm: 'GET', htu: USERINFO, accessToken: token, iat: nowS() }),
    );
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('invalid_token');
    expect((await userinfo(`Bearer ${token}`)).statusCode).toBe(200);
  });
});

describe('the admin API with a DPoP-bound token', () => {
  it('answers with a proof, refuses the token as Bearer', async () => {
    const key = dpopKey();
    const token = await boundToken(key, ADMIN);
    const url = `${ISSUER}/admin/users`;
    const ok = await t.app.inject({
      method: 'GET',
      url: '/admin/users',
      headers: {
        authorization: `DPoP ${token}`,
        dpop: key.proof({ htm: 'GET', htu: url, accessToken: token, iat: nowS() }),
      },
    });
    expect(ok.statusCode).toBe(200);
    const bearer = await t.app.inject({
      method: 'GET',
      url: '/admin/users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearer.statusCode).toBe(401);
    expect(challenge(bearer)).toMatch(/^DPoP /);
  });
});

describe('introspection (RFC 9449 §6.2)', () => {
  it('returns cnf.jkt and token_type DPoP for a bound token, neither for an unbound one', async () => {
    const key = dpopKey();
    const token = await boundToken(key);
    const introspect = (value: string) =>
      postForm(
        t.app,
        '/oauth/introspect',
        { token: value },
        { authorization: basic(t.confidential.id, t.confidential.secret) },
      );
    const bound = (await introspect(token)).json();
    expect(bound).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
    const plain = await postForm(t.app, '/oauth/token', {
      grant_type: 'password',
      client_id: t.publicId,
      ...ALICE,
    });
    const unbound = (await introspect(plain.json().access_token)).json();
    expect(unbound.token_type).toBe('Bearer');
    expect(unbound.cnf).toBeUndefined();
  });
});
