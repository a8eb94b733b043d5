import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, type GuardDpopOptions } from '@sesame/guard';
import { expressGuard } from '@sesame/guard/express';
import { dpopKey } from '@sesame/testkit';
import express from 'express';
import { Redis } from 'ioredis';
import { type Deployment, guardStatus, PLAYER } from '../lib/deployment.js';
import { sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'dpop';

interface Answer {
  status: number;
  error?: string;
}

/**
 * DPoP (RFC 9449) against a running server and a DPoP-checking guard: a bound token presented as
 * Bearer (at /userinfo, at the quiz API's guard without DPoP, at a guard with it); a proof replayed
 * (same jti) on the same instance; a proof for another URL or method; a proof signed by another key
 * than cnf.jkt, or with the jwk of one key and the signature of another; ath of another token; a
 * stale iat; alg none and HS256; a private key in the jwk header; a proof replayed across two
 * instances of one API behind a load balancer, whose guards share Redis. Each refusal beside its
 * control.
 */
export async function dpopAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const metadata = (await (await fetch(`${main.issuer}/.well-known/oauth-authorization-server`)).json()) as {
    dpop_signing_alg_values_supported?: string[];
  };
  if (
    !report.check(
      CATEGORY,
      'the server advertises DPoP',
      Array.isArray(metadata.dpop_signing_alg_values_supported),
    )
  )
    return;
  const tokenUrl = `${main.issuer}/oauth/token`;
  const userinfoUrl = `${main.issuer}/userinfo`;
  const app = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', 'dpop attack app', '--public', '--grant', 'password,refresh_token'],
    ...['--scopes', 'openid quiz', '--audience', 'quiz-api sesame', '--data-dir', main.dataDir],
  ]);

  const tokenRequest = async (proof: string | undefined): Promise<Answer & { token?: string }> => {
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: proof === undefined ? {} : { dpop: proof },
      body: new URLSearchParams({ grant_type: 'password', client_id: app.client_id, ...PLAYER }),
    });
    const body = (await response.json()) as { access_token?: string; error?: string };
    return { status: response.status, error: body.error, token: body.access_token };
  };
  const key = dpopKey();
  const issued = await tokenRequest(key.proof({ htm: 'POST', htu: tokenUrl }));
  if (
    !report.check(
      CATEGORY,
      'control: a proof at the token endpoint gets a bound token',
      issued.status === 200,
    )
  )
    return;
  const token = issued.token!;
  const other = (await tokenRequest(key.proof({ htm: 'POST', htu: tokenUrl }))).token!;

  const userinfo = async (scheme: string, proof?: string): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `${scheme} ${token}` };
    if (proof !== undefined) headers.dpop = proof;
    const response = await fetch(userinfoUrl, { headers });
    const body = (await response.json()) as { error?: string };
    return { status: response.status, error: body.error };
  };
  const { url: guarded, close } = await startDpopApi(main);
  ctx.cleanup.push(close);
  const atGuard = async (scheme: string, proof?: string): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `${scheme} ${token}` };
    if (proof !== undefined) headers.dpop = proof;
    const response = await fetch(`${guarded}/me`, { headers });
    const body = response.status === 200 ? {} : ((await response.json()) as { error?: string });
    return { status: response.status, error: body.error };
  };
  const refused = (answer: Answer, error: string, status = 401) =>
    answer.status === status && answer.error === error;
  const show = (answer: Answer) => `${answer.status} ${answer.error ?? ''}`;
  const proofFor = (url: string, extra: Parameters<typeof key.proof>[0] | object = {}) =>
    key.proof({ htm: 'GET', htu: url, accessToken: token, ...extra });

  // Controls: the bound token with a good proof passes /userinfo and the DPoP guard.
  let answer = await userinfo('DPoP', proofFor(userinfoUrl));
  report.check(
    CATEGORY,
    'control: /userinfo takes the bound token with a proof',
    answer.status === 200,
    show(answer),
  );
  answer = await atGuard('DPoP', proofFor(`${guarded}/me`));
  report.check(
    CATEGORY,
    'control: the DPoP guard takes the bound token with a proof',
    answer.status === 200,
    show(answer),
  );

  // A stolen bound token, presented as Bearer.
  answer = await userinfo('Bearer');
  report.check(
    CATEGORY,
    'a bound token as Bearer at /userinfo is refused',
    refused(answer, 'invalid_token'),
    show(answer),
  );
  const quiz = await guardStatus(main, token);
  report.check(
    CATEGORY,
    'a bound token as Bearer at a guard without DPoP is refused',
    quiz === 401,
    `${quiz}`,
  );
  answer = await atGuard('Bearer');
  report.check(
    CATEGORY,
    'a bound token as Bearer at a DPoP guard is refused',
    refused(answer, 'invalid_token'),
    show(answer),
  );

  // A proof replayed on the same instance.
  const once = key.proof({ htm: 'POST', htu: tokenUrl });
  await tokenRequest(once);
  const again = await tokenRequest(once);
  report.check(
    CATEGORY,
    'a proof replayed at the token endpoint is refused',
    refused(again, 'invalid_dpop_proof', 400),
    show(again),
  );
  const proof = proofFor(userinfoUrl);
  await userinfo('DPoP', proof);
  answer = await userinfo('DPoP', proof);
  report.check(
    CATEGORY,
    'a proof replayed at /userinfo is refused',
    refused(answer, 'invalid_dpop_proof'),
    show(answer),
  );
  const guardProof = proofFor(`${guarded}/me`);
  await atGuard('DPoP', guardProof);
  answer = await atGuard('DPoP', guardProof);
  report.check(
    CATEGORY,
    'a proof replayed at the guard is refused',
    refused(answer, 'invalid_dpop_proof'),
    show(answer),
  );

  // Each broken proof, at /userinfo and at the guard (and the token endpoint where it applies).
  const stranger = dpopKey();
  const broken: Array<[string, (url: string) => string]> = [
    ['a proof for another URL', (url) => proofFor(`${url}/elsewhere`)],
    ['a proof for another method', (url) => proofFor(url, { htm: 'POST' })],
    [
      'a proof signed by another key than cnf.jkt',
      (url) => stranger.proof({ htm: 'GET', htu: url, accessToken: token }),
    ],
    [
      'a proof with the jwk of the bound key, signed by another',
      (url) => stranger.proof({ htm: 'GET', htu: url, accessToken: token, jwk: key.jwk }),
    ],
    ['a proof with ath of another token', (url) => key.proof({ htm: 'GET', htu: url, accessToken: other })],
    ['a proof six minutes old', (url) => proofFor(url, { iat: Math.floor(Date.now() / 1000) - 360 })],
    ['a proof with alg none', (url) => proofFor(url, { forge: 'none' })],
    ['a proof with alg HS256', (url) => proofFor(url, { forge: 'HS256' })],
    [
      'a proof with a private key in its jwk',
      (url) => proofFor(url, { jwk: { ...key.jwk, d: 'A'.repeat(43) } }),
    ],
  ];
  for (const [name, make] of broken) {
    answer = await userinfo('DPoP', make(userinfoUrl));
    report.check(
      CATEGORY,
      `${name} at /userinfo is refused`,
      refused(answer, 'invalid_dpop_proof'),
      show(answer),
    );
    answer = await atGuard('DPoP', make(`${guarded}/me`));
    report.check(
      CATEGORY,
      `${name} at the guard is refused`,
      refused(answer, 'invalid_dpop_proof'),
      show(answer),
    );
  }
  for (const [name, proofAt] of [
    ['a proof for another URL', key.proof({ htm: 'POST', htu: `${main.issuer}/oauth/revoke` })],
    ['a proof for another method', key.proof({ htm: 'GET', htu: tokenUrl })],
    [
      'a proof six minutes old',
      key.proof({ htm: 'POST', htu: tokenUrl, iat: Math.floor(Date.now() / 1000) - 360 }),
    ],
    ['a proof with alg none', key.proof({ htm: 'POST', htu: tokenUrl, forge: 'none' })],
    ['a proof with alg HS256', key.proof({ htm: 'POST', htu: tokenUrl, forge: 'HS256' })],
    [
      'a proof with a private key in its jwk',
      key.proof({ htm: 'POST', htu: tokenUrl, jwk: { ...key.jwk, d: 'A'.repeat(43) } }),
    ],
  ] as const) {
    answer = await tokenRequest(proofAt);
    report.check(
      CATEGORY,
      `${name} at the token endpoint gets no token`,
      refused(answer, 'invalid_dpop_proof', 400),
      show(answer),
    );
  }
  await crossInstanceReplay(ctx, token, key);
}

/**
 * RFC 9449 §11.1 across instances: two instances of one API behind a load balancer (one public
 * origin, so one `htu`), each with its own guard. With the replay cache in Redis, a proof accepted
 * by one is refused by the other; with each guard's own memory (the default, for one process) the
 * same replay goes through, which is why several instances need Redis.
 */
async function crossInstanceReplay(ctx: Context, token: string, key: ReturnType<typeof dpopKey>) {
  const origin = 'https://api.sesame.test';
  const prefix = `sesame-attacks:dpop:${Date.now()}:`;
  // Two connections, as two processes would have; no reconnection: an absent Redis is one failure.
  const connect = () => new Redis({ lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  const clients = [connect(), connect()];
  ctx.cleanup.push(() => {
    for (const client of clients) client.disconnect();
  });
  let reachable = true;
  await Promise.all(clients.map((client) => client.connect())).catch(() => {
    reachable = false;
  });
  if (!ctx.report.check(CATEGORY, 'Redis on 127.0.0.1:6379 answers (needed for the next checks)', reachable))
    return;
  const shared = await Promise.all(
    clients.map((redis) => startDpopApi(ctx.main, { origin, replay: { redis, prefix } })),
  );
  const separate = await Promise.all([0, 1].map(() => startDpopApi(ctx.main, { origin })));
  for (const api of [...shared, ...separate]) ctx.cleanup.push(api.close);
  const at = async (api: { url: string }, proof: string): Promise<Answer> => {
    const response = await fetch(`${api.url}/me`, {
      headers: { authorization: `DPoP ${token}`, dpop: proof },
    });
    const body = response.status === 200 ? {} : ((await response.json()) as { error?: string });
    return { status: response.status, error: body.error };
  };
  const proof = () => key.proof({ htm: 'GET', htu: `${origin}/me`, accessToken: token });
  const onRedis = proof();
  const first = await at(shared[0]!, onRedis);
  const replayed = await at(shared[1]!, onRedis);
  ctx.report.check(
    CATEGORY,
    'control: the first instance sharing Redis takes a fresh proof',
    first.status === 200,
    `${first.status}`,
  );
  ctx.report.check(
    CATEGORY,
    'a proof replayed at a second instance sharing Redis is refused',
    replayed.status === 401 && replayed.error === 'invalid_dpop_proof',
    `${replayed.status} ${replayed.error ?? ''}`,
  );
  const inMemory = proof();
  const one = await at(separate[0]!, inMemory);
  const two = await at(separate[1]!, inMemory);
  ctx.report.check(
    CATEGORY,
    'control: with a replay cache per process, the second instance cannot tell (both take it)',
    one.status === 200 && two.status === 200,
    `${one.status}, ${two.status}`,
  );
}

/** An Express API behind a guard that takes DPoP, for the deployment's issuer (its own process). */
async function startDpopApi(
  d: Deployment,
  dpop: GuardDpopOptions = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const guard = createGuard({ issuer: d.issuer, audience: 'quiz-api', dpop });
  const api = express();
  api.get('/me', expressGuard(guard)(), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  const server: Server = await new Promise((resolve) => {
    const s = api.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      guard.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
