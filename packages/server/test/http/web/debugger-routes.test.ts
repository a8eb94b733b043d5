import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBUGGER_CSP, debuggerPage } from '../../../src/http/web/debugger/routes.js';

const app = Fastify();
beforeAll(async () => {
  await app.register(debuggerPage);
  await app.ready();
});
afterAll(() => app.close());

describe('the /debugger page and its assets', () => {
  it('serves the page with a strict Content-Security-Policy', async () => {
    const response = await app.inject('/debugger');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toBe(DEBUGGER_CSP);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('has no inline script or style and loads nothing from another origin', async () => {
    const html = (await app.inject('/debugger')).body;
    expect(html).toMatch(/<script type="module" src="\/debugger\/js\/page\/main\.js"><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // every script has a src
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i); // no inline style or handlers
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves the stylesheet and the compiled modules with the same headers', async () => {
    const css = await app.inject('/debugger/debugger.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const path of ['/debugger/js/page/main.js', '/debugger/js/analysis.js']) {
      const script = await app.inject(path);
      expect(script.statusCode, `${path} (run npm run build)`).toBe(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.headers['content-security-policy']).toBe(DEBUGGER_CSP);
    }
  });

  it('serves nothing outside the compiled modules', async () => {
    for (const path of [
      '/debugger/js/../routes.js',
      '/debugger/js/%2e%2e/routes.js',
      '/debugger/js/page/../../analysis.d.ts',
      '/debugger/js/.tsbuildinfo',
      '/debugger/js/page/missing.js',
      '/debugger/js/PAGE/main.js',
      '/debugger/index.html',
    ]) {
      const response = await app.inject(path);
      expect(response.statusCode, path).toBe(404);
    }
  });
});
