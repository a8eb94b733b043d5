import {
  type Deployment,
  expectRejected,
  guardStatus,
  introspect,
  login,
  type TokenResponse,
} from '../lib/deployment.js';
import type { Context } from '../lib/setup.js';

const REPLAY = 'replayed refresh tokens and codes';
const STUFFING = 'credential stuffing (throttling)';

async function refresh(
  d: Deployment,
  token: string,
): Promise<{ status: number; body: TokenResponse & { error?: string } }> {
  const response = await fetch(`${d.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: d.appClientId,
      refresh_token: token,
    }),
  });
  return { status: response.status, body: (await response.json()) as TokenResponse & { error?: string } };
}

/**
 * Refresh-token rotation under replay (RFC 9700 §4.14.2), on a server with no grace window: a
 * rotated token presented again is refused and revokes its whole family — the successor refresh
 * token and the family's access tokens too, at the server at once and at the guard through the
 * revocation feed. Then a race: five refreshes of one token at once get at most one new pair.
 */
export async function refreshReplayAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const first = await login(main);
  const second = await refresh(main, first.refresh_token!);
  if (!report.check(REPLAY, 'control: the first refresh succeeds', second.status === 200, `${second.status}`))
    return;
  const accessOfFamily = second.body.access_token;
  report.check(
    REPLAY,
    'control: the family access token passes the guard',
    (await guardStatus(main, accessOfFamily)) === 200,
  );

  const replayed = await refresh(main, first.refresh_token!);
  report.check(
    REPLAY,
    'the rotated refresh token, replayed, is refused',
    replayed.status === 400 && replayed.body.error === 'invalid_grant',
    `${replayed.status} ${replayed.body.error}`,
  );
  const successor = await refresh(main, second.body.refresh_token!);
  report.check(
    REPLAY,
    'after the reuse, the successor refresh token is refused too (family revoked)',
    successor.status === 400,
    `${successor.status}`,
  );
  const seen = await introspect(main, second.body.refresh_token!);
  report.check(
    REPLAY,
    'after the reuse, the successor is inactive at introspection',
    JSON.stringify(seen.body) === '{"active":false}',
    JSON.stringify(seen.body),
  );
  // The guard learns of the revocation through the feed: give it the two seconds the quiz tests allow.
  const deadline = Date.now() + 2500;
  while ((await guardStatus(main, accessOfFamily)) === 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await expectRejected(report, main, REPLAY, "after the reuse, the family's access token", accessOfFamily);
  await expectRejected(
    report,
    main,
    REPLAY,
    "after the reuse, the family's first access token",
    first.access_token,
  );

  const raced = await login(main);
  const results = await Promise.all(Array.from({ length: 5 }, () => refresh(main, raced.refresh_token!)));
  const winners = results.filter((result) => result.status === 200);
  report.check(
    REPLAY,
    'five concurrent refreshes of one token: at most one new pair',
    winners.length <= 1,
    `${winners.length} succeeded`,
  );
  report.check(
    REPLAY,
    'five concurrent refreshes: no 5xx',
    results.every((result) => result.status < 500),
    results.map((result) => result.status).join(','),
  );
  if (winners.length === 1) {
    // The four losers presented a rotated token: reuse, so the winner's new pair dies with the family.
    const after = await refresh(main, winners[0]!.body.refresh_token!);
    report.check(
      REPLAY,
      "the race's losers count as reuse: the winner's new refresh token is refused",
      after.status === 400,
      `${after.status}`,
    );
  }
}

/**
 * Credential stuffing from one address: many usernames, one password each, then a second round on
 * the same usernames. The first round is not slowed by the address (its failures must not lock out
 * the other users of the address: docs/security.md); the second is, on every username the address
 * failed on (429 with a Retry-After of whole seconds, at most the address cap of 30 s), even with the
 * right password, so the throttled answer is no oracle. Runs last on its server.
 */
export async function stuffingAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const usernames = Array.from({ length: 12 }, (_, i) => (i === 0 ? 'player' : `user${i}`));
  const round = async (password: (i: number) => string) => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (const [i, username] of usernames.entries()) {
      const response = await fetch(`${main.issuer}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: main.appClientId,
          username,
          password: password(i),
        }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get('retry-after');
    }
    return { statuses, retryAfter };
  };
  const first = await round((i) => `guess-${i}`);
  report.check(
    STUFFING,
    'no stuffed login succeeds',
    !first.statuses.includes(200),
    first.statuses.join(','),
  );
  const second = await round((i) => `guess-again-${i}`);
  report.check(
    STUFFING,
    'the second round on the same usernames is throttled, every attempt',
    second.statuses.every((s) => s === 429),
    second.statuses.join(','),
  );
  report.check(
    STUFFING,
    '429 carries Retry-After in whole seconds, at most the address cap (30 s)',
    second.retryAfter !== null && /^[1-9]\d*$/.test(second.retryAfter) && Number(second.retryAfter) <= 30,
    `Retry-After ${second.retryAfter}`,
  );
  const right = await fetch(`${main.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: main.appClientId,
      username: 'player',
      password: 'player password 1',
    }),
  });
  await right.arrayBuffer();
  report.check(
    STUFFING,
    'while throttled, even the right password gets 429 (no oracle)',
    right.status === 429,
    `${right.status}`,
  );
}
