/**
 * `@sesame/testkit/app`: a built app over a temporary SQLite store, with users and clients, for
 * route tests of the server and for the packages that test against a real Sesame (the guard);
 * through @sesame/server's public exports only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type GrantModule, loadConfig, openStore, type Services, type Store } from '@sesame/server';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

export { locationParams, PageClient } from './pages.js';

import { seedRsaKeys } from './rsa-keys.js';

/**
 * A SQLite store in a fresh temporary directory, removed when closed.
 *
 * @example const store = await openTempStore(); ... await store.close();
 */
export async function openTempStore(): Promise<Store & { file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-test-'));
  // The store `sesame serve --data-dir DIR` opens: the SQLite file of the data dir, migrated.
  const config = loadConfig({ values: { dataDir: dir, logLevel: 'silent' } });
  const store = await openStore(config, { migrate: true, withoutRedis: true });
  const file = join(dir, 'sesame.db');
  return Object.freeze({
    ...store,
    file,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** A controllable clock: `now()` for injection, `advance(ms)` to move it. */
export function testClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}

export const ALICE = { username: 'alice', password: 'correct horse battery' };
export const ADMIN = { username: 'root', password: 'admin password 1' };

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  /** The raw store under the app, for a test to set up or inspect what the services hide. */
  store: Store;
  clock: ReturnType<typeof testClock>;
  /**
   * A confidential client allowed every grant here, and its secret; permitted to introspect any
   * token and to read the revocation feed (a resource server's permissions).
   */
  confidential: { id: string; secret: string };
  /** A public client (password + refresh_token). */
  publicId: string;
  /** A confidential client allowed client_credentials only, without permissions. */
  machine: { id: string; secret: string };
  aliceId: string;
  close(): Promise<void>;
}

/**
 * @example const t = await createTestApp(); const res = await t.app.inject(...); await t.close();
 */
export async function createTestApp(
  values: Record<string, unknown> = {},
  grants?: GrantModule[],
): Promise<TestApp> {
  const store = await openTempStore();
  const clock = testClock(Date.now());
  const config = loadConfig({ values: { logLevel: 'silent', ...values } });
  await seedRsaKeys(store, clock.now());
  const app = await buildApp({ config, store, now: clock.now, logger: false, grants });
  const services = app.sesame;
  const alice = await services.users.create({ ...ALICE, scopes: ['openid', 'quiz'] }, 'test');
  await services.users.create({ ...ADMIN, scopes: ['openid', 'admin'] }, 'test');
  const confidential = await services.clients.create(
    {
      name: 'quiz back end',
      clientId: 'quiz-backend',
      type: 'confidential',
      grantTypes: ['password', 'refresh_token', 'client_credentials'],
      scopes: ['openid', 'quiz', 'admin', 'reports'],
      redirectUris: [],
      permissions: ['introspect', 'revocations'],
    },
    'test',
  );
  await services.clients.create(
    {
      name: 'quiz app',
      clientId: 'quiz-app',
      type: 'public',
      grantTypes: ['password', 'refresh_token'],
      scopes: ['openid', 'quiz', 'admin'],
      redirectUris: [],
    },
    'test',
  );
  const machine = await services.clients.create(
    {
      name: 'reports job',
      clientId: 'reports-job',
      type: 'confidential',
      grantTypes: ['client_credentials'],
      scopes: ['reports'],
      redirectUris: [],
    },
    'test',
  );
  return {
    app,
    services,
    store,
    clock,
    confidential: { id: 'quiz-backend', secret: confidential.clientSecret! },
    publicId: 'quiz-app',
    machine: { id: 'reports-job', secret: machine.clientSecret! },
    aliceId: alice.id,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** application/x-www-form-urlencoded body. */
export function form(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return {
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };
}

/** RFC 6749 §2.3.1 Basic credentials: each part form-urlencoded, then Base64. */
export function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

/** POST a form to an endpoint, with optional extra headers. */
export function postForm(
  app: FastifyInstance,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const body = form(fields);
  return app.inject({
    method: 'POST',
    url,
    payload: body.payload,
    headers: { ...body.headers, ...headers },
  } as InjectOptions);
}

/** Logs alice in through the public client; returns the token response. */
export async function loginAlice(t: TestApp, scope?: string) {
  const fields: Record<string, string> = { grant_type: 'password', client_id: t.publicId, ...ALICE };
  if (scope) fields.scope = scope;
  const response = await postForm(t.app, '/oauth/token', fields);
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return response.json() as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
    scope: string;
  };
}

export async function loginAdmin(t: TestApp) {
  const response = await postForm(t.app, '/oauth/token', {
    grant_type: 'password',
    client_id: t.publicId,
    ...ADMIN,
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return (response.json() as { access_token: string }).access_token;
}

/** A call to the admin API as the seeded admin: `(method, url, payload?) => response`. */
export type AdminCall = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
) => Promise<LightMyRequestResponse>;

/**
 * Logs the seeded admin in once and answers a function that calls the admin API with its token.
 *
 * @example const admin = await adminApi(t); expect((await admin('GET', '/admin/users')).statusCode).toBe(200);
 */
export async function adminApi(t: TestApp): Promise<AdminCall> {
  const authorization = `Bearer ${await loginAdmin(t)}`;
  return (method, url, payload) =>
    t.app.inject({
      method,
      url,
      headers: { authorization },
      ...(payload ? { payload } : {}),
    } as InjectOptions);
}
