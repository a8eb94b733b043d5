import { generateKeyPair } from '@sesame/jwt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGuard, type Guard, GuardError } from '../src/index.js';
import { startTestIssuer, type TestIssuer } from './helpers/issuer.js';

let issuer: TestIssuer;
let guard: Guard;

beforeAll(async () => {
  issuer = await startTestIssuer();
  guard = createGuard({ issuer: issuer.issuer, audience: 'quiz-api' });
});
afterAll(async () => {
  guard.close();
  await issuer.close();
});

const jwksFetches = () =>
  issuer.requests.filter((request) => request.path === '/.well-known/jwks.json').length;

it('keeps accepting old and new tokens across a key rotation at the issuer', async () => {
  const old = issuer.token();
  await expect(guard.authenticate(`Bearer ${old}`)).resolves.toBeTruthy();
  expect(jwksFetches()).toBe(1);

  // The server publishes the next key and signs with it; the retired key stays published.
  issuer.rotate();
  const fresh = issuer.token();
  await expect(guard.authenticate(`Bearer ${fresh}`)).resolves.toBeTruthy();
  expect(jwksFetches()).toBe(2);
  await expect(guard.authenticate(`Bearer ${old}`)).resolves.toBeTruthy();
  await expect(guard.authenticate(`Bearer ${fresh}`)).resolves.toBeTruthy();
  expect(jwksFetches()).toBe(2);
});

it('a flood of unknown kids costs one fetch per cooldown, and those tokens are refused', async () => {
  const before = jwksFetches();
  const forged = Array.from({ length: 20 }, (_, i) =>
    issuer.token({}, { key: generateKeyPair('ES256', { kid: `x${i}` }).privateKey }),
  );
  const results = await Promise.allSettled(forged.map((token) => guard.authenticate(`Bearer ${token}`)));
  for (const result of results) {
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(GuardError);
  }
  expect(jwksFetches() - before).toBe(1);
});

it('a token signed with a key withdrawn from the set is refused after the next fetch', async () => {
  const old = issuer.token();
  issuer.rotate(true);
  // The new kid makes the guard fetch; the old kid is gone from the set.
  await expect(guard.authenticate(`Bearer ${issuer.token()}`)).resolves.toBeTruthy();
  const error = await guard.authenticate(`Bearer ${old}`).catch((e: unknown) => e);
  expect(error).toMatchObject({ status: 401, error: 'invalid_token' });
});
