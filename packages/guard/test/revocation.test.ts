import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGuard, type FeedHealth, type Guard, GuardError } from '../src/index.js';
import { CLIENT_ID, CLIENT_SECRET, startTestIssuer, type TestIssuer, until } from './helpers/issuer.js';

let issuer: TestIssuer;
let guard: Guard;
let health: FeedHealth[];
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function makeGuard(
  extra: {
    pollIntervalMs?: number;
    failClosedAfterMs?: number;
    clientSecret?: string;
    now?: () => number;
  } = {},
) {
  health = [];
  return createGuard({
    issuer: issuer.issuer,
    audience: 'quiz-api',
    ...(extra.now === undefined ? {} : { now: extra.now }),
    revocation: {
      clientId: CLIENT_ID,
      clientSecret: extra.clientSecret ?? CLIENT_SECRET,
      onHealth: (h) => health.push(h),
      maxBackoffMs: 200,
      ...(extra.pollIntervalMs === undefined ? {} : { pollIntervalMs: extra.pollIntervalMs }),
      ...(extra.failClosedAfterMs === undefined ? {} : { failClosedAfterMs: extra.failClosedAfterMs }),
    },
  });
}

const accepted = (token: string) =>
  guard.authenticate(`Bearer ${token}`).then(
    () => true,
    (error: unknown) => {
      if (error instanceof GuardError && error.reason === 'token_revoked') return false;
      throw error;
    },
  );

beforeEach(async () => {
  issuer = await startTestIssuer();
});
afterEach(async () => {
  guard.close();
  await issuer.close();
});

describe('revocation over the stream', () => {
  beforeEach(async () => {
    guard = makeGuard();
    await until(() => guard.health()?.state === 'streaming');
  });

  it('a revoked jti is refused as soon as the stream has brought it, other tokens still pass', async () => {
    const token = issuer.token({ jti: 'jti-1' });
    const other = issuer.token({ jti: 'jti-2' });
    expect(await accepted(token)).toBe(true);
    issuer.revoke({ kind: 'jti', value: 'jti-1', expires_at: inAnHour() });
    // The event, not a time: once the entry is held, the token (verified and remembered above) is refused.
    await until(() => guard.health()!.entries === 1, 10_000);
    expect(await accepted(token)).toBe(false);
    const error = await guard.authenticate(`Bearer ${token}`).catch((e: GuardError) => e);
    expect(error).toMatchObject({ status: 401, error: 'invalid_token', reason: 'token_revoked' });
    expect((error as GuardError).wwwAuthenticate).toContain(
      'error_description="the access token has been revoked"',
    );
    expect(await accepted(other)).toBe(true);
  });

  it('a revoked sid refuses every token of the session', async () => {
    const token = issuer.token({ sid: 'family-9' });
    issuer.revoke({ kind: 'sid', value: 'family-9', expires_at: inAnHour() });
    await until(async () => !(await accepted(token)));
    expect(await accepted(issuer.token({ sid: 'family-10' }))).toBe(true);
  });

  it('a user entry refuses tokens issued before its cut-off only', async () => {
    const now = Math.floor(Date.now() / 1000);
    const before = issuer.token({ sub: 'u-5', iat: now - 10 });
    const after = issuer.token({ sub: 'u-5', iat: now - 5 });
    issuer.revoke({ kind: 'user', value: 'u-5', issued_before: now - 5, expires_at: inAnHour() });
    await until(async () => !(await accepted(before)));
    expect(await accepted(after)).toBe(true);
    expect(await accepted(issuer.token({ sub: 'u-6', iat: now - 10 }))).toBe(true);
  });

  it('resumes after the stream breaks, from the last event id, missing nothing', async () => {
    issuer.revoke({ kind: 'jti', value: 'a', expires_at: inAnHour() });
    await until(() => guard.health()!.entries === 1);
    issuer.setFeedDown(true);
    await until(() => guard.health()?.state === 'down');
    issuer.revoke({ kind: 'jti', value: 'b', expires_at: inAnHour() });
    issuer.setFeedDown(false);
    await until(() => guard.health()!.entries === 2, 3000);
    const resumed = issuer.requests.filter((r) => r.path.startsWith('/oauth/revocations/stream')).at(-1)!;
    expect(resumed.lastEventId).toBe('101');
    expect(resumed.path).toBe('/oauth/revocations/stream?since=101');
  });

  it('expired entries are not held', async () => {
    // Both go down the open stream in this order (the stand-in issuer does not filter them): once
    // 'new' refuses its token, 'old' has been seen before it, and dropped because its tokens have
    // all expired. (Waiting for `entries >= 1` instead could stop at 'old' alone, held by mistake.)
    const newer = issuer.token({ jti: 'new' });
    issuer.revoke({ kind: 'jti', value: 'old', expires_at: Math.floor(Date.now() / 1000) - 60 });
    issuer.revoke({ kind: 'jti', value: 'new', expires_at: inAnHour() });
    await until(async () => !(await accepted(newer)), 10_000);
    expect(guard.health()!.entries).toBe(1);
  });
});

describe('polling when the stream is unavailable', () => {
  it('falls back to the JSON feed and still propagates revocations', async () => {
    issuer.setStreamSupported(false);
    guard = makeGuard({ pollIntervalMs: 100 });
    await until(() => guard.health()?.state === 'polling');
    const token = issuer.token({ jti: 'polled' });
    expect(await accepted(token)).toBe(true);
    const polls = () => issuer.requests.filter((r) => r.path.startsWith('/oauth/revocations?'));
    const before = polls().length;
    issuer.revoke({ kind: 'jti', value: 'polled', expires_at: inAnHour() });
    // Brought by a poll made after the revocation (the stream is refused), and then held.
    await until(() => guard.health()!.entries === 1, 10_000);
    expect(await accepted(token)).toBe(false);
    expect(polls().length).toBeGreaterThan(before);
    // Every later poll asks from a cursor: a page after what the guard holds, not the whole feed again.
    expect(
      polls()
        .slice(before)
        .every((r) => /^\/oauth\/revocations\?since=\d+&limit=1000$/.test(r.path)),
    ).toBe(true);
    expect(guard.health()!.state).toBe('polling');
  });
});

describe('when the feed is unreachable', () => {
  it('keeps serving, reports its health, fails closed after the configured time with 503', async () => {
    guard = makeGuard({ failClosedAfterMs: 600 });
    await until(() => guard.health()?.state === 'streaming');
    const token = issuer.token();
    issuer.setFeedDown(true);
    await until(() => health.some((h) => h.state === 'down' && !h.healthy));
    expect(await accepted(token)).toBe(true);
    await until(() => health.some((h) => h.failClosed), 2000);
    const error = (await guard.authenticate(`Bearer ${token}`).catch((e) => e)) as GuardError;
    expect([error.status, error.error, error.retryAfter]).toEqual([503, 'temporarily_unavailable', 5]);
    // A bad token is still told it is bad.
    const bad = (await guard.authenticate('Bearer a.b.c').catch((e) => e)) as GuardError;
    expect(bad.status).toBe(401);
    issuer.setFeedDown(false);
    await until(() => guard.health()?.healthy === true, 3000);
    expect(await accepted(token)).toBe(true);
    expect(health.at(-1)).toMatchObject({ healthy: true, failClosed: false });
  });

  it('never fails closed without failClosedAfterMs, however long the feed stays down', async () => {
    // The guard's clock, moved 30 days on while the feed is down: no wait, and no default limit,
    // however long, can pass unseen (a 300 ms sleep proved only that none was shorter than that).
    let clock = Date.now();
    issuer.setFeedDown(true);
    guard = makeGuard({ now: () => clock });
    await until(() => health.some((h) => h.state === 'down'));
    clock += 30 * 86_400_000;
    // A token issued on the moved clock, valid for an hour.
    const iat = Math.floor(clock / 1000);
    const token = issuer.token({ iat, exp: iat + 3600 });
    expect(await accepted(token)).toBe(true);
    expect(guard.health()).toMatchObject({ state: 'down', failClosed: false });
  });

  it('reports refused client credentials without echoing them', async () => {
    guard = makeGuard({ clientSecret: 'wrong-secret-value' });
    await until(() => health.some((h) => h.error?.includes('refused') === true));
    expect(guard.health()!.healthy).toBe(false);
    expect(JSON.stringify(health)).not.toContain('wrong-secret-value');
  });
});
