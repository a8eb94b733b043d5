import { verifyEmbeddedJwk } from '@sesame/jwt';
import {
  accessTokenHash,
  accessTokenHashes,
  createDpopChecker,
  DpopProofError,
  type DpopReplayCache,
} from '@sesame/protocol';
import { dpopKey } from '@sesame/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardToken, ISSUER, type Server, startGuard, startServer } from './agreement/entry-points.js';
import { type DpopScene, dpopTable } from './tables/dpop.js';

/**
 * THE DPoP proof rule (RFC 9449 §4.3, §7.1, §11.1), one table through three entry points: the
 * protocol's checker, the server's resource routes (GET /userinfo with a bound token) and the
 * guard's authenticate.
 */

const nowS = () => Math.floor(Date.now() / 1000);
const memory = (): DpopReplayCache => {
  const seen = new Set<string>();
  return {
    async remember(key) {
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  };
};

describe('the DPoP rule, through the protocol', () => {
  const check = createDpopChecker({
    verify: (proof, o) => verifyEmbeddedJwk(proof, { algorithms: o.algorithms as never, typ: o.typ }),
    replay: memory(),
  });
  const url = 'https://api.example/quiz';

  it.each(dpopTable)('%s', async (_name, header, expected, twice) => {
    const key = _name.includes('RSA-PSS') ? dpopKey('PS256') : dpopKey();
    const scene: DpopScene = { key, token: 'the.access.token', method: 'GET', url, nowS: nowS() };
    const value = header(scene);
    const run = () =>
      check({ header: value, method: 'GET', url, accessToken: scene.token, thumbprint: key.jkt }).then(
        () => 'ok',
        (error) => {
          if (!(error instanceof DpopProofError)) throw error;
          return error.rule;
        },
      );
    if (twice) expect(await run()).toBe('ok');
    expect(await run()).toBe(expected);
  });

  it('normalises each request URL once and answers the same for it every time', async () => {
    const key = dpopKey();
    const ruleFor = (htu: string, requestUrl: string) =>
      check({ header: key.proof({ htm: 'GET', htu }), method: 'GET', url: requestUrl }).then(
        () => 'ok',
        (error: DpopProofError) => error.rule,
      );
    for (let round = 0; round < 2; round++) {
      expect(await ruleFor('https://API.example:443/quiz', url)).toBe('ok');
      expect(await ruleFor('https://api.example/other', url)).toBe('htu');
      // Not an http(s) URL: remembered as one no proof matches, not as a match.
      expect(await ruleFor('ftp://api.example/quiz', 'ftp://api.example/quiz')).toBe('htu');
    }
  });

  it('computes ath as base64url(SHA-256) of the token (RFC 9449 §7.1 example)', () => {
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe(
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
  });

  it("remembers ath per token without ever answering another token's hash", () => {
    const ath = accessTokenHashes(2);
    const tokens = ['a.b.c', 'a.b.d', 'a.b.e', 'a.b.c', 'a.b.d'];
    for (const token of tokens) expect(ath(token)).toBe(accessTokenHash(token));
    expect(ath('a.b.c')).not.toBe(ath('a.b.d'));
  });
});

describe('the DPoP rule, through the server (GET /userinfo)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
    await server.app.sesame.users.create(
      { username: 'dpop-user', password: 'a long password 1', scopes: ['openid'] },
      'test',
    );
    await server.app.sesame.clients.create(
      {
        name: 'dpop app',
        clientId: 'dpop-app',
        type: 'public',
        grantTypes: ['password'],
        scopes: ['openid'],
        redirectUris: [],
      },
      'test',
    );
  });
  afterAll(() => server.close());

  it.each(dpopTable)('%s', async (name, header, expected, twice) => {
    const key = name.includes('RSA-PSS') ? dpopKey('PS256') : dpopKey();
    const issued = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { dpop: key.proof({ htm: 'POST', htu: `${ISSUER}/oauth/token` }) },
      payload: {
        grant_type: 'password',
        client_id: 'dpop-app',
        username: 'dpop-user',
        password: 'a long password 1',
      },
    });
    const token = issued.json().access_token as string;
    const value = header({ key, token, method: 'GET', url: `${ISSUER}/userinfo`, nowS: nowS() });
    const run = async () => {
      const response = await server.app.inject({
        method: 'GET',
        url: '/userinfo',
        headers:
          value === undefined
            ? { authorization: `DPoP ${token}` }
            : { authorization: `DPoP ${token}`, dpop: value },
      });
      return { status: response.statusCode, error: response.json().error };
    };
    if (twice) expect((await run()).status).toBe(200);
    expect(await run()).toEqual(
      expected === 'ok' ? { status: 200, error: undefined } : { status: 401, error: 'invalid_dpop_proof' },
    );
  });
});

describe('the DPoP rule, through the guard (authenticate)', () => {
  const guard = startGuard({ dpop: {} });
  afterAll(() => guard.close());
  const url = 'https://api.example/quiz';

  it.each(dpopTable)('%s', async (name, header, expected, twice) => {
    const key = name.includes('RSA-PSS') ? dpopKey('PS256') : dpopKey();
    const token = guardToken({ cnf: { jkt: key.jkt } });
    const value = header({ key, token, method: 'GET', url, nowS: nowS() });
    const run = () =>
      guard.authenticate(`DPoP ${token}`, { request: { method: 'GET', url, dpop: value } }).then(
        () => 'ok',
        (error: { reason: string; dpopRule?: string; status: number; error?: string }) => {
          expect({ reason: error.reason, status: error.status, error: error.error }).toEqual({
            reason: 'dpop_proof_invalid',
            status: 401,
            error: 'invalid_dpop_proof',
          });
          return error.dpopRule;
        },
      );
    if (twice) expect(await run()).toBe('ok');
    expect(await run()).toBe(expected);
  });
});
