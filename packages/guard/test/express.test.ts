import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expressGuard } from '../src/express.js';
import { createGuard, type Guard } from '../src/index.js';
import { startTestIssuer, type TestIssuer } from './helpers/issuer.js';

let issuer: TestIssuer;
let guard: Guard;
let server: Server;
let base: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  guard = createGuard({ issuer: issuer.issuer, audience: 'quiz-api' });
  const auth = expressGuard(guard);
  const app = express();
  app.get('/public', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/me', auth(), (req, res) => {
    res.json({ sub: req.auth?.sub });
  });
  // A handler that tries to grant itself more: the claims it was given are not writable.
  app.get('/escalate', auth(), (req, res) => {
    const claims = req.auth as unknown as Record<string, unknown>;
    const attempts = [
      () => Object.assign(claims, { scope: 'admin' }),
      () => (claims.aud as string[]).push('sesame'),
      () => Object.assign(claims.act as object, { sub: 'x' }),
    ];
    res.json({
      refused: attempts.filter((attempt) => {
        try {
          attempt();
          return false;
        } catch {
          return true;
        }
      }).length,
      scope: req.auth?.scope,
    });
  });
  app.post('/admin', auth(), auth('admin'), (req, res) => {
    res.json({ sub: req.auth!.sub });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  guard.close();
  await new Promise((resolve) => server.close(resolve));
  await issuer.close();
});

const call = (method: string, path: string, authorization?: string) =>
  fetch(base + path, { method, headers: authorization === undefined ? {} : { authorization } });

it('leaves public routes alone and sets req.auth for a valid token', async () => {
  expect((await call('GET', '/public')).status).toBe(200);
  const response = await call('GET', '/me', `Bearer ${issuer.token({ sub: 'u-2' })}`);
  expect(await response.json()).toEqual({ sub: 'u-2' });
});

it('401 without credentials: bare challenge, no body', async () => {
  const response = await call('GET', '/me');
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="quiz-api"');
  expect(await response.text()).toBe('');
});

it('401 invalid_token, 400 invalid_request', async () => {
  const bad = await call('GET', '/me', `Bearer ${issuer.token({ aud: 'elsewhere' })}`);
  expect(bad.status).toBe(401);
  expect(await bad.json()).toMatchObject({ error: 'invalid_token' });
  const malformed = await call('GET', '/me', 'Bearer');
  expect(malformed.status).toBe(400);
  expect(malformed.headers.get('www-authenticate')).toContain('error="invalid_request"');
});

it('403 insufficient_scope, 200 with the scope', async () => {
  const denied = await call('POST', '/admin', `Bearer ${issuer.token({ scope: 'quiz' })}`);
  expect(denied.status).toBe(403);
  expect(denied.headers.get('www-authenticate')).toContain('scope="admin"');
  const allowed = await call('POST', '/admin', `Bearer ${issuer.token({ sub: 'boss', scope: 'admin' })}`);
  expect(await allowed.json()).toEqual({ sub: 'boss' });
});

it('a handler cannot change the claims later requests with the same token see (req.auth is frozen)', async () => {
  const token = `Bearer ${issuer.token({ sub: 'u-9', scope: 'quiz', aud: ['quiz-api'], act: { sub: 'k' } })}`;
  const first = await call('GET', '/escalate', token);
  expect(await first.json()).toEqual({ refused: 3, scope: 'quiz' });
  // The same token again: served from the guard's memory of verified tokens, unchanged.
  expect(await (await call('GET', '/escalate', token)).json()).toEqual({ refused: 3, scope: 'quiz' });
  expect((await call('POST', '/admin', token)).status).toBe(403);
});
