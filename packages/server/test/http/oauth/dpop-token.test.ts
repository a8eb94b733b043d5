import { decode } from '@sesame/jwt';
import { dpopKey } from '@sesame/testkit';
import { ALICE, basic, createTestApp, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** RFC 9449 §5 at the token endpoint: binding, refresh binding, clients that require it, nonces. */

const ISSUER = 'http://127.0.0.1:8080';
const TOKEN_URL = `${ISSUER}/oauth/token`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const nowS = () => Math.floor(t.clock.now() / 1000);
const token = (fields: Record<string, string>, proof?: string, headers: Record<string, string> = {}) =>
  postForm(t.app, '/oauth/token', fields, proof === undefined ? headers : { ...headers, dpop: proof });
const machine = () => ({ authorization: basic(t.machine.id, t.machine.secret) });
const cc = { grant_type: 'client_credentials' };

describe('binding the access token (every grant)', () => {
  it('binds a client_credentials token to the proof key: cnf.jkt, token_type DPoP', async () => {
    const key = dpopKey();
    const response = await token(cc, key.proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() }), machine());
    expect(response.statusCode).toBe(200);
    expect(response.json().token_type).toBe('DPoP');
    expect(decode(response.json().access_token).payload.cnf).toEqual({ jkt: key.jkt });
  });

  it('issues a Bearer token without cnf when no proof is sent', async () => {
    const response = await token(cc, undefined, machine());
    expect(response.json().token_type).toBe('Bearer');
    expect(decode(response.json().access_token).payload.cnf).toBeUndefined();
  });

  it('binds a password-grant token too', async () => {
    const key = dpopKey('EdDSA');
    const response = await token(
      { grant_type: 'password', client_id: t.publicId, ...ALICE },
      key.proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() }),
    );
    expect(response.json().token_type).toBe('DPoP');
    expect(decode(response.json().access_token).payload.cnf).toEqual({ jkt: key.jkt });
  });

  it('refuses a proof used twice (same jti, same key): invalid_dpop_proof', async () => {
    const proof = dpopKey().proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() });
    expect((await token(cc, proof, machine())).statusCode).toBe(200);
    const again = await token(cc, proof, machine());
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('invalid_dpop_proof');
  });

  it('refuses a proof for another URL or another method, and a stale one', async () => {
    const key = dpopKey();
    for (const proof of [
      key.proof({ htm: 'POST', htu: `${ISSUER}/oauth/revoke`, iat: nowS() }),
      key.proof({ htm: 'GET', htu: TOKEN_URL, iat: nowS() }),
      key.proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() - 301 }),
    ]) {
      const response = await token(cc, proof, machine());
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_dpop_proof');
    }
  });

  it('accepts the token URL with a query and a fragment in htu (ignored, RFC 9449 §4.3 point 9)', async () => {
    const proof = dpopKey().proof({ htm: 'POST', htu: `${TOKEN_URL}?x=1#f`, iat: nowS() });
    expect((await token(cc, proof, machine())).statusCode).toBe(200);
  });

  it('refuses two DPoP headers', async () => {
    const key = dpopKey();
    const one = key.proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() });
    const two = key.proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() });
    const response = await token(cc, `${one}, ${two}`, machine());
    expect(response.json().error).toBe('invalid_dpop_proof');
  });
});

describe('refresh tokens of public clients are bound to the key (RFC 9449 §5)', () => {
  const login = async (
    key: ReturnType<typeof dpopKey>,
    clientId: string,
    auth: Record<string, string> = {},
  ) =>
    (
      await token(
        { grant_type: 'password', client_id: clientId, ...ALICE },
        key.proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() }),
        auth,
      )
    ).json();

  it('refreshes with a proof by the same key; refuses another key and no proof (invalid_grant)', async () => {
    const key = dpopKey();
    const { refresh_token } = await login(key, t.publicId);
    const refresh = { grant_type: 'refresh_token', client_id: t.publicId, refresh_token };
    const other = await token(refresh, dpopKey().proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() }));
    expect(other.statusCode).toBe(400);
    expect(other.json().error).toBe('invalid_grant');
    const none = await token(refresh);
    expect(none.json().error).toBe('invalid_grant');
    // Neither burned it: the holder of the key refreshes, and its successor is bound too.
    const good = await token(refresh, key.proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() }));
    expect(good.statusCode).toBe(200);
    expect(good.json().token_type).toBe('DPoP');
    expect(decode(good.json().access_token).payload.cnf).toEqual({ jkt: key.jkt });
    const next = { ...refresh, refresh_token: good.json().refresh_token };
    expect((await token(next)).json().error).toBe('invalid_grant');
  });

  it("leaves a confidential client's refresh token unbound (its secret already guards it)", async () => {
    const auth = { authorization: basic(t.confidential.id, t.confidential.secret) };
    const { refresh_token } = await login(dpopKey(), t.confidential.id, auth);
    const plain = await token({ grant_type: 'refresh_token', refresh_token }, undefined, auth);
    expect(plain.statusCode).toBe(200);
    expect(plain.json().token_type).toBe('Bearer');
  });
});

describe('a client registered to require DPoP (dpop_bound_access_tokens, RFC 9449 §5.2)', () => {
  it('refuses its token requests without a proof, and binds those with one', async () => {
    const created = await t.services.clients.create(
      {
        name: 'strict',
        clientId: 'dpop-strict',
        grantTypes: ['client_credentials'],
        dpopBoundAccessTokens: true,
      },
      'test',
    );
    const auth = { authorization: basic('dpop-strict', created.clientSecret!) };
    const refused = await token(cc, undefined, auth);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_dpop_proof');
    const bound = await token(cc, dpopKey().proof({ htm: 'POST', htu: TOKEN_URL, iat: nowS() }), auth);
    expect(bound.json().token_type).toBe('DPoP');
  });
});

describe('metadata', () => {
  it('advertises dpop_signing_alg_values_supported: asymmetric algorithms only', async () => {
    const document = (await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
    expect(document.dpop_signing_alg_values_supported).toContain('ES256');
    expect(document.dpop_signing_alg_values_supported).not.toContain('HS256');
    expect(document.dpop_signing_alg_values_supported).not.toContain('none');
  });
});

describe('server nonces (RFC 9449 §8), when configured', () => {
  let n: TestApp;
  beforeAll(async () => {
    n = await createTestApp({ dpopNonce: true });
  });
  afterAll(async () => n.close());
  const post = (proof: string) =>
    postForm(n.app, '/oauth/token', cc, {
      authorization: basic(n.machine.id, n.machine.secret),
      dpop: proof,
    });
  const at = () => Math.floor(n.clock.now() / 1000);

  it('asks for a nonce (use_dpop_nonce + DPoP-Nonce), accepts it, and refuses it two steps later', async () => {
    const key = dpopKey();
    const first = await post(key.proof({ htm: 'POST', htu: TOKEN_URL, iat: at() }));
    expect(first.statusCode).toBe(400);
    expect(first.json().error).toBe('use_dpop_nonce');
    const nonce = String(first.headers['dpop-nonce']);
    expect(nonce).toMatch(/^[0-9a-z]+\.[\w-]{22}$/);
    const second = await post(key.proof({ htm: 'POST', htu: TOKEN_URL, iat: at(), nonce }));
    expect(second.statusCode).toBe(200);
    expect(second.headers['dpop-nonce']).toBeDefined();
    // Still current one step (5 min) later; not two steps later.
    n.clock.advance(5 * 60_000);
    expect((await post(key.proof({ htm: 'POST', htu: TOKEN_URL, iat: at(), nonce }))).statusCode).toBe(200);
    n.clock.advance(5 * 60_000);
    const stale = await post(key.proof({ htm: 'POST', htu: TOKEN_URL, iat: at(), nonce }));
    expect(stale.json().error).toBe('use_dpop_nonce');
    const forged = await post(
      key.proof({
        htm: 'POST',
        htu: TOKEN_URL,
        iat: at(),
        nonce: `${nonce.split('.')[0]}.${'A'.repeat(22)}`,
      }),
    );
    expect(forged.json().error).toBe('use_dpop_nonce');
  });
});

describe('the classic profile (no cnf in its fixed payload)', () => {
  it('ignores a proof and answers Bearer; does not advertise DPoP', async () => {
    const c = await createTestApp({
      tokenProfile: 'classic',
      hmacSecret: 'q8Zt3vN1xR6pL0mW4yK7sB2dF9hJ5cGe',
    });
    try {
      const response = await postForm(c.app, '/oauth/token', cc, {
        authorization: basic(c.machine.id, c.machine.secret),
        dpop: dpopKey().proof({ htm: 'POST', htu: TOKEN_URL }),
      });
      expect(response.json().token_type).toBe('Bearer');
      const document = (await c.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
      expect(document.dpop_signing_alg_values_supported).toBeUndefined();
    } finally {
      await c.close();
    }
  });
});
