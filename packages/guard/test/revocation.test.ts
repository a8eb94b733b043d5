import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGuard, type FeedHealth, type Guard, GuardError } from '../src/index.js';
import { CLIENT_ID, CLIENT_SECRET, startTestIssuer, type TestIssuer, until } from './helpers/issuer.js';

let issuer: TestIssuer;
let guard: Guard;
let health: FeedHealth[];
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function makeGuard(
  extra: { pollIntervalMs?: number; failClosedAfterMs?: number; clientSecret?: string } = {},
) {
  health = [];
  return createGuard({
    issuer: issuer.issuer,
    audience: 'quiz-api',
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

  it('a revoked jti is refused within 2 seconds, other tokens still pass', async () => {
    const token = issuer.token({ jti: 'jti-1' });
    const other = issuer.token({ jti: 'jti-2' });
    expect(await accepted(token)).toBe(true);
    issuer.revoke({ kind: 'jti', value: 'jti-1', expires_at: inAnHour() });
    const elapsed = await until(async () => !(await accepted(token)), 2000);
    expect(elapsed).toBeLessThan(2000);
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
    // the second is held, the first has been seen, and dropped because its tokens have all expired.
    issuer.revoke({ kind: 'jti', value: 'old', expires_at: Math.floor(Date.now() / 1000) - 60 });
    issuer.revoke({ kind: 'jti', value: 'new', expires_at: inAnHour() });
    await until(() => guard.health()!.entries >= 1);
    expect(guard.health()!.entries).toBe(1);
  });
});

describe('polling when the stream is unavailable', () => {
  it('falls back to the JSON feed and still propagates revocations', async () => {
    issuer.setStreamSupported(false);
    guard = makeGuard({ pollIntervalMs: 100 });
    await until(() => guard.health()?.state === 'polling');
    const token = issuer.token({ jti: 'polled' });
    issuer.revoke({ kind: 'jti', value: 'polled', expires_at: inAnHour() });
    const elapsed = await until(async () => !(await accepted(token)));
    expect(elapsed).toBeLessThan(2000);
    expect(issuer.requests.some((r) => /^\/oauth\/revocations\?since=\d+&limit=1000$/.test(r.path))).toBe(
      true,
    );
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

  it('never fails closed without failClosedAfterMs', async () => {
    issuer.setFeedDown(true);
    guard = makeGuard();
    await until(() => health.some((h) => h.state === 'down'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await accepted(issuer.token())).toBe(true);
  });

  it('reports refused client credentials without echoing them', async () => {
    guard = makeGuard({ clientSecret: 'wrong-secret-value' });
    await until(() => health.some((h) => h.error?.includes('refused') === true));
    expect(guard.health()!.healthy).toBe(false);
    expect(JSON.stringify(health)).not.toContain('wrong-secret-value');
  });
});
