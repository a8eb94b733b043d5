import { Writable } from 'node:stream';
import { ALICE, basic, createTestApp, postForm } from '@sesame/testkit/app';
import { describe, expect, it } from 'vitest';

describe('login throttling', () => {
  it('answers 429 with Retry-After after the free failures, per username, then lets the user in later', async () => {
    const t = await createTestApp({ throttleFreeFailures: 2, throttleBaseDelay: '10s' });
    try {
      const attempt = (password: string) =>
        postForm(t.app, '/oauth/token', {
          grant_type: 'password',
          client_id: t.publicId,
          username: 'alice',
          password,
        });
      expect((await attempt('wrong 1')).statusCode).toBe(400);
      expect((await attempt('wrong 2')).statusCode).toBe(400);
      expect((await attempt('wrong 3')).statusCode).toBe(400);
      const throttled = await attempt(ALICE.password);
      expect(throttled.statusCode).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect(throttled.json().error).toBe('slow_down');
      t.clock.advance(Number(throttled.headers['retry-after']) * 1000);
      expect((await attempt(ALICE.password)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('does not throttle a first attempt', async () => {
    const t = await createTestApp({ throttleFreeFailures: 0 });
    try {
      const response = await postForm(t.app, '/oauth/token', {
        grant_type: 'password',
        client_id: t.publicId,
        ...ALICE,
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('Swagger UI login', () => {
  it('accepts a public client sending Basic "client_id:" with an empty secret', async () => {
    const t = await createTestApp();
    try {
      const response = await postForm(
        t.app,
        '/oauth/token',
        { grant_type: 'password', ...ALICE },
        { authorization: basic(t.publicId, '') },
      );
      expect(response.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('logs', () => {
  it('never contain passwords, secrets, refresh tokens or whole access tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { buildApp } = await import('../../src/app.js');
    const { loadConfig } = await import('../../src/config/config.js');
    const { openTempStore } = await import('@sesame/testkit/app');
    const store = await openTempStore();
    const config = loadConfig({ values: { logLevel: 'trace' } });
    const app = await buildApp({
      config,
      store,
      logger: { stream, ...(await import('../../src/logger.js')).loggerOptions(config) },
    });
    try {
      await app.sesame.users.create({ ...ALICE, scopes: ['openid'] }, 'test');
      const { clientSecret } = await app.sesame.clients.create(
        {
          name: 'x',
          clientId: 'logged-client',
          grantTypes: ['password', 'refresh_token'],
          scopes: ['openid'],
        },
        'test',
      );
      const login = await postForm(
        app,
        '/oauth/token',
        { grant_type: 'password', ...ALICE },
        { authorization: basic('logged-client', clientSecret!) },
      );
      const { access_token, refresh_token } = login.json();
      await postForm(
        app,
        '/oauth/token',
        { grant_type: 'password', ...ALICE, password: 'wrong one' },
        { authorization: basic('logged-client', clientSecret!) },
      );
      await app.inject({ url: `/userinfo?access_token=${access_token}` });
      await app.inject({ url: '/userinfo', headers: { authorization: `Bearer ${access_token}` } });
      await postForm(
        app,
        '/oauth/revoke',
        { token: refresh_token },
        { authorization: basic('logged-client', clientSecret!) },
      );
      await postForm(app, '/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token,
        client_secret: clientSecret!,
      });
      const log = lines.join('');
      expect(log.length).toBeGreaterThan(0);
      for (const secret of [
        ALICE.password,
        clientSecret!,
        refresh_token,
        access_token,
        access_token.split('.')[2]!,
      ]) {
        expect(log).not.toContain(secret);
      }
    } finally {
      await app.close();
      await store.close();
    }
  });
});
