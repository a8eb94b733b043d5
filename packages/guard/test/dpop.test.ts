import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessTokenHash } from '@sesame/protocol';
import { dpopKey } from '@sesame/testkit';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressGuard } from '../src/express.js';
import { sesameGuard } from '../src/fastify.js';
import { createGuard, GuardError, memoryReplayCache } from '../src/index.js';
import { startTestIssuer, type TestIssuer } from './helpers/issuer.js';

/** The guard's DPoP options (RFC 9449 §7): the scheme rule, migration, replay caches, adapters. */

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => issuer.close());

const URL_ = 'https://api.example/quiz';
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error) => {
      if (error instanceof GuardError) return error;
      throw error;
    },
  );

describe('DPoP-bound tokens', () => {
  it('a guard without the dpop option refuses a bound token as Bearer and as DPoP', async () => {
    const guard = createGuard({ issuer: issuer.issuer, audience: 'quiz-api' });
    const key = dpopKey();
    const token = issuer.token({ cnf: { jkt: key.jkt } });
    expect((await refusal(guard.authenticate(`Bearer ${token}`)))?.reason).toBe('dpop_scheme');
    // The DPoP scheme is not one this guard reads: no credentials.
    expect((await refusal(guard.authenticate(`DPoP ${token}`)))?.reason).toBe('no_credentials');
    expect(await guard.authenticate(`Bearer ${issuer.token({})}`)).toBeDefined();
    guard.close();
  });

  it('with dpop: a bound token as Bearer is refused with a DPoP challenge; so is an unbound one, unless allowBearer', async () => {
    const strict = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', dpop: {} });
    const key = dpopKey();
    const bound = issuer.token({ cnf: { jkt: key.jkt } });
    const asBearer = await refusal(strict.authenticate(`Bearer ${bound}`));
    expect(asBearer?.reason).toBe('dpop_scheme');
    expect(asBearer?.wwwAuthenticate).toMatch(
      /^DPoP realm="quiz-api", error="invalid_token", .*algs="ES256 /,
    );
    const unbound = issuer.token({});
    expect((await refusal(strict.authenticate(`Bearer ${unbound}`)))?.reason).toBe('dpop_scheme');
    const migrating = createGuard({
      issuer: issuer.issuer,
      audience: 'quiz-api',
      dpop: { allowBearer: true },
    });
    expect(await migrating.authenticate(`Bearer ${unbound}`)).toBeDefined();
    expect((await refusal(migrating.authenticate(`Bearer ${bound}`)))?.reason).toBe('dpop_scheme');
    strict.close();
    migrating.close();
  });

  it('a remembered token keeps its ath: a proof for another token is still refused, whichever was seen first', async () => {
    const guard = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', dpop: {} });
    const key = dpopKey();
    const first = issuer.token({ cnf: { jkt: key.jkt } });
    const second = issuer.token({ cnf: { jkt: key.jkt } });
    const check = (token: string, ath: string) =>
      guard
        .authenticate(`DPoP ${token}`, {
          request: { method: 'GET', url: URL_, dpop: key.proof({ htm: 'GET', htu: URL_, ath }) },
        })
        .then(
          () => 'ok',
          (error: GuardError) => error.dpopRule,
        );
    // Each token accepted once (its claims and its ath remembered), then each time with a fresh
    // proof: a proof carrying the other token's ath is refused, before and after.
    expect(await check(first, accessTokenHash(first))).toBe('ok');
    expect(await check(second, accessTokenHash(first))).toBe('ath');
    expect(await check(second, accessTokenHash(second))).toBe('ok');
    for (let i = 0; i < 3; i++) {
      expect(await check(first, accessTokenHash(second))).toBe('ath');
      expect(await check(second, accessTokenHash(first))).toBe('ath');
      expect(await check(first, accessTokenHash(first))).toBe('ok');
      expect(await check(second, accessTokenHash(second))).toBe('ok');
    }
    guard.close();
  });

  it('a replay cache that cannot answer refuses the proof with 503, never accepts it', async () => {
    const broken = { set: async () => Promise.reject(new Error('ECONNREFUSED')) };
    const guard = createGuard({
      issuer: issuer.issuer,
      audience: 'quiz-api',
      dpop: { replay: { redis: broken } },
    });
    const key = dpopKey();
    const token = issuer.token({ cnf: { jkt: key.jkt } });
    const proof = key.proof({ htm: 'GET', htu: URL_, accessToken: token });
    const error = await refusal(
      guard.authenticate(`DPoP ${token}`, { request: { method: 'GET', url: URL_, dpop: proof } }),
    );
    expect({ status: error?.status, reason: error?.reason }).toEqual({
      status: 503,
      reason: 'dpop_unavailable',
    });
    guard.close();
  });

  it('uses a Redis-like client with SET NX PX: OK the first time, null after', async () => {
    const held = new Map<string, number>();
    const calls: unknown[][] = [];
    const redis = {
      set: async (...args: [string, string, 'PX', number, 'NX']) => {
        calls.push(args);
        if (held.has(args[0])) return null;
        held.set(args[0], args[3]);
        return 'OK';
      },
    };
    const guard = createGuard({
      issuer: issuer.issuer,
      audience: 'quiz-api',
      dpop: { replay: { redis, prefix: 'api:' } },
    });
    const key = dpopKey();
    const token = issuer.token({ cnf: { jkt: key.jkt } });
    const proof = key.proof({ htm: 'GET', htu: URL_, accessToken: token });
    const request = { method: 'GET', url: URL_, dpop: proof };
    expect((await guard.authenticate(`DPoP ${token}`, { request })).sub).toBeDefined();
    expect((await refusal(guard.authenticate(`DPoP ${token}`, { request })))?.dpopRule).toBe('replay');
    expect(calls[0]?.[0]).toMatch(/^api:/);
    expect(calls[0]?.slice(2)).toEqual(['PX', expect.any(Number), 'NX']);
    // Kept a minute past the proof's expiry (iat + 300 s window + skew): a process of the API whose
    // clock lags must still find it while that process accepts the proof's iat.
    expect(calls[0]?.[3]).toBeGreaterThan(350_000);
    guard.close();
  });
});

describe('the in-memory replay cache', () => {
  it('remembers until expiry, and refuses (throws) when full of live entries instead of forgetting one', async () => {
    let now = 1_000;
    const cache = memoryReplayCache({ now: () => now, maxEntries: 2 });
    expect(await cache.remember('a', 2_000)).toBe(true);
    expect(await cache.remember('a', 2_000)).toBe(false);
    expect(await cache.remember('b', 3_000)).toBe(true);
    await expect(cache.remember('c', 3_000)).rejects.toThrow('full');
    now = 2_000; // 'a' expired: swept, room again, and 'a' is new again
    expect(await cache.remember('c', 3_000)).toBe(true);
    expect(await cache.remember('b', 3_000)).toBe(false);
  });
});

describe('the adapters pass the request to the proof check', () => {
  it('Express and Fastify accept a bound token with a proof of their URL and refuse it as Bearer', async () => {
    const guard = createGuard({ issuer: issuer.issuer, audience: 'quiz-api', dpop: {} });
    const app = express();
    app.get('/quiz', expressGuard(guard)(), (req, res) => {
      res.json({ sub: req.auth?.sub });
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const fastify = Fastify();
    await fastify.register(sesameGuard, { guard });
    fastify.get('/quiz', { preHandler: fastify.authenticate }, async (request) => ({
      sub: request.auth?.sub,
    }));
    const fastifyUrl = await fastify.listen({ port: 0, host: '127.0.0.1' });
    try {
      for (const base of [`http://127.0.0.1:${(server.address() as AddressInfo).port}`, fastifyUrl]) {
        const key = dpopKey();
        const token = issuer.token({ sub: 'u-dpop', cnf: { jkt: key.jkt } });
        const ok = await fetch(`${base}/quiz?x=1`, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: key.proof({ htm: 'GET', htu: `${base}/quiz`, accessToken: token }),
          },
        });
        expect(ok.status).toBe(200);
        expect(await ok.json()).toEqual({ sub: 'u-dpop' });
        const bearer = await fetch(`${base}/quiz`, { headers: { authorization: `Bearer ${token}` } });
        expect(bearer.status).toBe(401);
        expect(bearer.headers.get('www-authenticate')).toMatch(/^DPoP /);
        const elsewhere = await fetch(`${base}/quiz`, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: key.proof({ htm: 'GET', htu: `${base}/other`, accessToken: token }),
          },
        });
        expect(elsewhere.status).toBe(401);
        expect(((await elsewhere.json()) as { error: string }).error).toBe('invalid_dpop_proof');
      }
    } finally {
      server.close();
      await fastify.close();
      guard.close();
    }
  });
});
