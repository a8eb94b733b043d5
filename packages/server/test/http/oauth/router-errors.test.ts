import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

/** A marker that must never come back in a response to a URL that carries it. */
const MARK = 'zq7probe';

describe('405: a known path with another method', () => {
  it('GET /oauth/token answers 405 with Allow: POST, in the OAuth format', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/oauth/token' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'GET is not allowed here; use POST',
    });
  });

  it('a path with a parameter lists every method of its routes', async () => {
    const response = await t.app.inject({ method: 'PUT', url: `/admin/users/${MARK}` });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD, PATCH');
    expect(response.json().error_description).toBe('PUT is not allowed here; use GET or PATCH');
    expect(response.body).not.toContain(MARK);
  });

  it('a GET route refuses POST, and the query is not part of the path', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/.well-known/jwks.json?x=1' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('an unknown path is still 404, without the path in the answer', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/oauth/${MARK}<script>` });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', error_description: 'no such route' });
    expect(response.body).not.toContain(MARK);
  });

  it('a route of the method that finds nothing (a missing file under a wildcard) stays 404', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/debugger/js/page/missing.js' });
    expect(response.statusCode).toBe(404);
    const post = await t.app.inject({ method: 'POST', url: '/debugger/js/page/missing.js' });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('a trailing slash is another path (routes match exactly)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/oauth/token/' })).statusCode).toBe(404);
  });
});

describe('router errors are OAuth errors and never echo the path', () => {
  it('a path parameter that does not decode: 400 invalid_request', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/admin/users/${MARK}%E0%A4%A` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: 'the URL is malformed' });
    expect(response.body).not.toContain(MARK);
  });

  it('a path parameter over its length: 414 invalid_request', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/admin/users/${MARK}${'a'.repeat(300)}` });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({ error: 'invalid_request', error_description: 'the URL is too long' });
    expect(response.body).not.toContain(MARK);
  });
});

describe('errors of the HTTP parser, on a real socket', () => {
  let port = 0;
  beforeAll(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });

  /** One raw request; resolves with the status, the headers and the body node received. */
  const raw = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers });
      req.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }),
        );
      });
      req.on('error', reject);
      req.end();
    });

  it('headers over the limit: 431 invalid_request', async () => {
    const answer = await raw('/userinfo', { 'x-filler': MARK.repeat(4000) });
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      error_description: 'the request headers are too large',
    });
  });

  it('a URL longer than the header limit: 431 invalid_request, the URL not echoed', async () => {
    const answer = await raw(`/oauth/${MARK}${'a'.repeat(20_000)}`, {});
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body).error).toBe('invalid_request');
    expect(answer.body).not.toContain(MARK);
  });
});
