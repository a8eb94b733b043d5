/**
 * Crash safety, proven: the real server is SIGKILLed three times in the middle of mixed load
 * (password logins, refresh rotations, revocations, code exchanges) and restarted on the same store.
 * After each restart every answer the server gave still holds:
 *  - a refresh token whose revocation was acknowledged (200) is refused;
 *  - the last refresh token answered for every other session still rotates (the rotation was
 *    durable when answered, and no session record the client was told about is missing);
 *  - a session whose last request had no answer (the kill came first) is whole either way: its
 *    last known token either rotates (the rotation never committed) or is refused as reuse (it
 *    did), never a 5xx.
 * A second run puts the server under refresh load only (sixteen rotations in flight at a time, so
 * concurrent rotations share their fsyncs) and checks the same: every rotation answered 200 before
 * the kill is there after it — its new token rotates — and every cut one is whole either way.
 * Run on SQLite, and on PostgreSQL with Redis when they are reachable. The kill comes after a
 * number of acknowledged operations, not after a time.
 */
import {
  authorizeUrl,
  Browser,
  freePort,
  pkce,
  type Started,
  signInAndConsent,
  startDeployment,
} from '@sesame/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { deployment, stopAll } from '../helpers/processes.js';
import { describeWithServices } from '../helpers/services.js';

const PASSWORD = 'crash password 1';
const REDIRECT = 'http://127.0.0.1:9/cb';
const ROUNDS = 3;
/** Acknowledged operations per round before the kill. */
const OPS_BEFORE_KILL = 40;
const LOOPS = 4;
/** The refresh-only load: sessions made before the first round, and rotations in flight at once. */
const REFRESH_SESSIONS = 32;
const REFRESH_LOOPS = 16;

interface Session {
  latest: string;
  /** Revocation acknowledged: the server said 200 to /oauth/revoke. */
  revoked: boolean;
  /** A request about it got no answer: what it did is unknown. */
  uncertain: boolean;
  busy: boolean;
}

type Env = Record<string, string>;

async function form(url: string, fields: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
  const body = (await response.json()) as Record<string, string>;
  return { status: response.status, body };
}

/**
 * Runs the crash rounds against a server on the store `options` give (a fresh data dir, or a
 * database), restarted on the same store each time.
 */
async function crashRounds(options: { env?: Env; cleanEnv?: boolean; refreshOnly?: boolean } = {}) {
  const deployed = await startDeployment({
    ...options,
    env: { ...options.env, SESAME_REFRESH_GRACE_WINDOW: '0' },
    serveArgs: ['--workers', '1'],
    user: { username: 'crash', password: PASSWORD, scopes: 'openid quiz' },
    client: {
      name: 'crash app',
      public: true,
      grants: 'password,refresh_token,authorization_code',
      scopes: 'openid quiz',
      redirectUri: REDIRECT,
    },
  });
  const { base } = deployed;
  const app = { client_id: deployed.client.id };
  let server: Started = deployed.server;
  const sessions: Session[] = [];
  const counts = { logins: 0, rotations: 0, revocations: 0, codes: 0, unanswered: 0 };

  const login = async () => {
    const { status, body } = await form(`${base}/oauth/token`, {
      grant_type: 'password',
      client_id: app.client_id,
      username: 'crash',
      password: PASSWORD,
      scope: 'openid quiz',
    });
    if (status !== 200) throw new Error(`login ${status} ${body.error}`);
    sessions.push({ latest: body.refresh_token!, revoked: false, uncertain: false, busy: false });
    counts.logins++;
  };
  const codeExchange = async () => {
    const { verifier, challenge } = pkce();
    const url = authorizeUrl({
      response_type: 'code',
      client_id: app.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const { back } = await signInAndConsent(new Browser(base), url, {
      username: 'crash',
      password: PASSWORD,
    });
    const code = new URL(back.location ?? '', base).searchParams.get('code');
    if (code === null) throw new Error(`no code: ${back.status}`);
    const { status, body } = await form(`${base}/oauth/token`, {
      grant_type: 'authorization_code',
      client_id: app.client_id,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    if (status !== 200) throw new Error(`code exchange ${status} ${body.error}`);
    sessions.push({ latest: body.refresh_token!, revoked: false, uncertain: false, busy: false });
    counts.codes++;
  };
  const pick = () => {
    const live = sessions.filter((s) => !s.revoked && !s.uncertain && !s.busy);
    return live[Math.floor(Math.random() * live.length)];
  };
  const rotate = async (session: Session) => {
    const { status, body } = await form(`${base}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: app.client_id,
      refresh_token: session.latest,
    });
    if (status !== 200) throw new Error(`rotation of a live session answered ${status} ${body.error}`);
    session.latest = body.refresh_token!;
    counts.rotations++;
  };
  const revoke = async (session: Session) => {
    const response = await fetch(`${base}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: session.latest, client_id: app.client_id }),
    });
    if (response.status !== 200) throw new Error(`revoke answered ${response.status}`);
    session.revoked = true;
    counts.revocations++;
  };

  const loops = options.refreshOnly ? REFRESH_LOOPS : LOOPS;
  const opsBeforeKill = options.refreshOnly ? 4 * OPS_BEFORE_KILL : OPS_BEFORE_KILL;

  for (let round = 0; round < ROUNDS; round++) {
    // Cut rotations that had committed ended their sessions (reuse): top the live ones up.
    while (options.refreshOnly && sessions.filter((s) => !s.revoked).length < REFRESH_SESSIONS) await login();
    let acknowledged = 0;
    let killed = false;
    let killing: Promise<unknown> | undefined;
    const loop = async () => {
      while (!killed) {
        const roll = options.refreshOnly ? 0.5 : Math.random();
        const session = roll < 0.15 ? undefined : pick();
        if (session === undefined && options.refreshOnly) throw new Error('no idle session to rotate');
        if (session) session.busy = true;
        try {
          if (session === undefined) await (roll < 0.05 ? codeExchange() : login());
          else if (roll < 0.8) await rotate(session);
          else await revoke(session);
          if (++acknowledged === opsBeforeKill) {
            // Requests of the other loops are in flight now: the kill cuts them.
            killed = true;
            server.child.kill('SIGKILL');
            killing = server.exited;
          }
        } catch (error) {
          // Only a request the kill cut is allowed to fail, and what it did is then unknown.
          if (!killed) throw error;
          if (session) session.uncertain = true;
          counts.unanswered++;
        } finally {
          if (session) session.busy = false;
        }
      }
    };
    await Promise.all(Array.from({ length: loops }, loop));
    await killing;
    server = await deployed.serve();

    for (const session of sessions) {
      const { status, body } = await form(`${base}/oauth/token`, {
        grant_type: 'refresh_token',
        client_id: app.client_id,
        refresh_token: session.latest,
      });
      expect(
        status,
        `a ${session.revoked ? 'revoked' : session.uncertain ? 'cut' : 'live'} session: ${body.error}`,
      ).toBeLessThan(500);
      if (session.revoked) {
        expect(status, 'an acknowledged revocation survived the crash').toBe(400);
      } else if (session.uncertain) {
        if (status === 200) session.latest = body.refresh_token!;
        else session.revoked = true; // its rotation committed: the old token is reuse, the family ends
        session.uncertain = false;
      } else {
        expect(status, 'an acknowledged rotation (or login) survived the crash').toBe(200);
        session.latest = body.refresh_token!;
      }
    }
  }
  await server.stop();
  // The load was mixed: every kind of operation was acknowledged, and the kills cut some.
  expect(counts.logins).toBeGreaterThan(0);
  expect(counts.rotations).toBeGreaterThan(0);
  if (options.refreshOnly) {
    expect(counts.rotations).toBeGreaterThanOrEqual(ROUNDS * opsBeforeKill);
    expect(counts.revocations).toBe(0);
  } else {
    expect(counts.revocations).toBeGreaterThan(0);
  }
  return counts;
}

describe('crash safety: SQLite', () => {
  it(`${ROUNDS} SIGKILLs under mixed load lose nothing acknowledged`, async () => {
    await crashRounds();
  }, 300_000);
  it(`${ROUNDS} SIGKILLs under refresh load lose no answered rotation`, async () => {
    await crashRounds({ refreshOnly: true });
  }, 300_000);
});

await describeWithServices(['PostgreSQL', 'Redis'], 'crash safety: PostgreSQL and Redis', () => {
  afterAll(() => stopAll());
  it(`${ROUNDS} SIGKILLs under mixed load lose nothing acknowledged`, async () => {
    // The deployment's issuer port is not the server's: the issuer comes from startDeployment.
    const made = await deployment(await freePort());
    const { SESAME_ISSUER: _issuer, ...env } = made.env;
    try {
      await crashRounds({ env, cleanEnv: true });
    } finally {
      await made.drop();
    }
  }, 300_000);
  it(`${ROUNDS} SIGKILLs under refresh load lose no answered rotation`, async () => {
    const made = await deployment(await freePort());
    const { SESAME_ISSUER: _issuer, ...env } = made.env;
    try {
      await crashRounds({ env, cleanEnv: true, refreshOnly: true });
    } finally {
      await made.drop();
    }
  }, 300_000);
});
