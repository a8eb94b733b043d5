import { createServer } from 'node:net';
import { basic, createTestApp, loginAdmin, loginAlice, postForm, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGuard, type Guard, GuardError } from '../src/index.js';
import { until } from './helpers/issuer.js';

// End to end against the real server: buildApp + listen, discovery from its RFC 8414 metadata, the
// keys from its JWKS, revocations from its feed.

let t: TestApp;
let guard: Guard;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  t = await createTestApp({ issuer });
  await t.app.listen({ host: '127.0.0.1', port });
  guard = createGuard({
    issuer,
    audience: 'sesame',
    revocation: {
      clientId: t.confidential.id,
      clientSecret: t.confidential.secret,
      failClosedAfterMs: 60_000,
    },
  });
  await until(() => guard.health()?.state === 'streaming', 5000);
});
afterAll(async () => {
  guard.close();
  await t.close();
});

const refusedAsRevoked = (token: string) =>
  guard.authenticate(`Bearer ${token}`).then(
    () => false,
    (error: unknown) => error instanceof GuardError && error.reason === 'token_revoked',
  );

it('accepts the server tokens, then refuses a token revoked at /oauth/revoke within 2 s', async () => {
  const { access_token } = await loginAlice(t, 'openid quiz');
  const claims = await guard.authenticate(`Bearer ${access_token}`, { scopes: 'quiz' });
  expect(claims.sub).toBe(t.aliceId);
  const revoked = await postForm(t.app, '/oauth/revoke', { token: access_token, client_id: t.publicId });
  expect(revoked.statusCode).toBe(200);
  const elapsed = await until(() => refusedAsRevoked(access_token), 2000);
  expect(elapsed).toBeLessThan(2000);
});

it('revoking a refresh token refuses the access tokens of its session (sid)', async () => {
  const { access_token, refresh_token } = await loginAlice(t);
  await guard.authenticate(`Bearer ${access_token}`);
  await postForm(t.app, '/oauth/revoke', { token: refresh_token, client_id: t.publicId });
  await until(() => refusedAsRevoked(access_token), 2000);
  const other = await loginAlice(t);
  await expect(guard.authenticate(`Bearer ${other.access_token}`)).resolves.toBeTruthy();
});

it('the JSON feed answers the guard client', async () => {
  const response = await fetch(`${t.app.listeningOrigin}/oauth/revocations`, {
    headers: { authorization: basic(t.confidential.id, t.confidential.secret) },
  });
  const body = (await response.json()) as { entries: unknown[] };
  expect(body.entries.length).toBeGreaterThanOrEqual(2);
});

it('removing a client refuses its access tokens through the feed (a client entry)', async () => {
  const made = await t.services.clients.create(
    {
      name: 'removed later',
      clientId: 'removed-later',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      scopes: ['quiz'],
      redirectUris: [],
    },
    'test',
  );
  const issued = await postForm(
    t.app,
    '/oauth/token',
    { grant_type: 'client_credentials' },
    { authorization: basic('removed-later', made.clientSecret!) },
  );
  const token = issued.json().access_token as string;
  await expect(guard.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ client_id: 'removed-later' });
  const removed = await t.app.inject({
    method: 'DELETE',
    url: '/admin/clients/removed-later',
    headers: { authorization: `Bearer ${await loginAdmin(t)}` },
  });
  expect(removed.statusCode).toBe(204);
  await until(() => refusedAsRevoked(token), 2000);
});

it('revoking a signing key refuses its tokens through the feed (a kid entry), before any JWKS refetch', async () => {
  const { access_token } = await loginAlice(t);
  await expect(guard.authenticate(`Bearer ${access_token}`)).resolves.toBeTruthy();
  const kid = t.services.accessTokens.verify(access_token).kid!;
  const revoked = await t.app.inject({
    method: 'POST',
    url: `/admin/keys/${kid}/revoke`,
    headers: { authorization: `Bearer ${await loginAdmin(t)}` },
  });
  expect(revoked.statusCode).toBe(200);
  await until(async () => {
    try {
      await guard.authenticate(`Bearer ${access_token}`);
      return false;
    } catch (error) {
      return error instanceof GuardError && error.reason === 'token_revoked';
    }
  }, 2000);
  // A token of the new current key is accepted (the guard fetches the keys for its new kid).
  const fresh = await loginAlice(t);
  await expect(guard.authenticate(`Bearer ${fresh.access_token}`)).resolves.toBeTruthy();
});
