/**
 * GET /: a newcomer opening http://127.0.0.1:8080/ gets a page linking to the docs, the debugger,
 * the metadata and the JWKS (it was a JSON 404), and every link on it answers.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestApp, type TestApp } from '@sesame/testkit/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME_LINKS } from '../../../src/http/web/home.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('GET /', () => {
  it('is an HTML page linking to /docs, /debugger, the metadata and the JWKS, without any script', async () => {
    const response = await t.app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    for (const path of [
      '/docs',
      '/debugger',
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server',
      '/.well-known/jwks.json',
    ]) {
      expect(response.body).toContain(`href="${path}"`);
    }
    expect(response.body).not.toMatch(/<script|style=/);
  });

  it('links only to pages that answer', async () => {
    for (const [path] of HOME_LINKS) {
      const response = await t.app.inject({ url: path });
      expect([200, 302], path).toContain(response.statusCode);
    }
  });

  it('is not part of the OpenAPI document', async () => {
    const document = (await t.app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(document.paths)).not.toContain('/');
  });
});

describe('README', () => {
  it('names the JWKS by its real path', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../../../README.md', import.meta.url)), 'utf8');
    expect(readme).toContain('/.well-known/jwks.json');
    expect(readme).not.toMatch(/(?<!\.well-known)\/jwks\.json/);
  });
});
