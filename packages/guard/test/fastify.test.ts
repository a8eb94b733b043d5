import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireScopes, sesameGuard } from '../src/fastify.js';
import { startTestIssuer, type TestIssuer } from './helpers/issuer.js';

let issuer: TestIssuer;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  app = Fastify();
  await app.register(sesameGuard, { issuer: issuer.issuer, audience: 'quiz-api' });
  app.get('/public', async () => ({ ok: true }));
  app.get('/me', { preHandler: app.authenticate }, async (request) => ({ sub: request.auth?.sub }));
  app.post('/admin', { preHandler: requireScopes('admin') }, async (request) => ({ sub: request.auth!.sub }));
  app.post('/both', { preHandler: [app.authenticate, requireScopes('quiz')] }, async () => ({ ok: true }));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await issuer.close();
});

const call = (method: string, path: string, authorization?: string) =>
  fetch(base + path, { method, headers: authorization === undefined ? {} : { authorization } });

it('leaves public routes alone', async () => {
  expect((await call('GET', '/public')).status).toBe(200);
});

it('sets request.auth for a valid token', async () => {
  const response = await call('GET', '/me', `Bearer ${issuer.token({ sub: 'u-1' })}`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ sub: 'u-1' });
});

it('401 with a bare challenge and no body without credentials', async () => {
  const response = await call('GET', '/me');
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="quiz-api"');
  expect(await response.text()).toBe('');
});

it('401 invalid_token for a bad token, with the JSON error body', async () => {
  const response = await call('GET', '/me', 'Bearer x.y.z');
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toEqual({
    error: 'invalid_token',
    error_description: 'the access token is invalid',
  });
});

it('400 invalid_request for a malformed header', async () => {
  const response = await call('GET', '/me', 'Bearer a b');
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: 'invalid_request' });
});

it('403 insufficient_scope from requireScopes, 200 with the scope', async () => {
  const denied = await call('POST', '/admin', `Bearer ${issuer.token({ scope: 'quiz' })}`);
  expect(denied.status).toBe(403);
  expect(denied.headers.get('www-authenticate')).toContain('scope="admin"');
  const allowed = await call(
    'POST',
    '/admin',
    `Bearer ${issuer.token({ sub: 'boss', scope: 'quiz admin' })}`,
  );
  expect(allowed.status).toBe(200);
  expect(await allowed.json()).toEqual({ sub: 'boss' });
});

it('chained pre-handlers authenticate once and check scopes', async () => {
  expect((await call('POST', '/both', `Bearer ${issuer.token({ scope: 'quiz' })}`)).status).toBe(200);
  expect((await call('POST', '/both', `Bearer ${issuer.token({ scope: 'other' })}`)).status).toBe(403);
});
