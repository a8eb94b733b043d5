import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { typedRoutes } from '../../typed-routes.js';

/**
 * The page may run only its own script and style, and talk only to this server (for its JWKS):
 * a pasted token must not be able to leave the page through an injected script, an image, a form
 * or a frame. No 'unsafe-inline' anywhere, so the HTML carries no inline script or style.
 */
export const DEBUGGER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * This file runs as src/http/web/debugger/routes.ts (tests, tsx) and as dist/http/web/debugger/routes.js;
 * both sit three folders below the package root. HTML and CSS ship in src (the package's files
 * include it); the browser script is compiled by src/http/web/debugger/page/tsconfig.json into dist.
 */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PAGE_DIR = `${PACKAGE_ROOT}src/http/web/debugger/page/`;
const SCRIPT_DIR = `${PACKAGE_ROOT}dist/http/web/debugger/static/`;
/**
 * The token analysis the page shares with `sesame token decode` is @sesame/tools': its compiled
 * module (plain ES2023, no imports) is served as /debugger/js/analysis.js, where the page's
 * `import '../analysis.js'` finds it.
 */
const ANALYSIS = `${dirname(createRequire(import.meta.url).resolve('@sesame/tools/package.json'))}/dist/analysis.js`;

/** The compiled modules: page/*.js and analysis.js, plain names only (no "..", no other folders). */
const SCRIPT_PATH = /^page\/[a-z][a-z0-9-]*\.js$/;

function secure(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .header('content-type', type)
    .header('content-security-policy', DEBUGGER_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', 'no-cache');
}

async function fileOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * GET /debugger: the token debugger page, and its assets under /debugger/. Everything it does
 * happens in the browser; the server only serves files (and, elsewhere, its JWKS).
 *
 * @example await app.register(debuggerPage);
 */
export const debuggerPage: FastifyPluginAsync = async (app) => {
  // Hidden from the OpenAPI document: pages are not API.
  const schema = { hide: true };
  app.get('/debugger', { schema }, async (_request, reply) => {
    const html = await fileOrNull(`${PAGE_DIR}index.html`);
    if (html === null) return reply.code(404).send({ error: 'not_found' });
    return secure(reply, 'text/html; charset=utf-8').send(html);
  });
  app.get('/debugger/debugger.css', { schema }, async (_request, reply) => {
    const css = await fileOrNull(`${PAGE_DIR}debugger.css`);
    if (css === null) return reply.code(404).send({ error: 'not_found' });
    return secure(reply, 'text/css; charset=utf-8').send(css);
  });
  const script = {
    ...schema,
    params: { type: 'object', required: ['*'], properties: { '*': { type: 'string' } } },
  } as const;
  typedRoutes(app).get('/debugger/js/*', { schema: script }, async (request, reply) => {
    const path = request.params['*'];
    const file = path === 'analysis.js' ? ANALYSIS : SCRIPT_PATH.test(path) ? `${SCRIPT_DIR}${path}` : null;
    const script = file === null ? null : await fileOrNull(file);
    // A missing script on a checkout that was never built: say so instead of a blank page.
    if (script === null) return reply.code(404).send({ error: 'not_found', hint: 'run npm run build' });
    return secure(reply, 'text/javascript; charset=utf-8').send(script);
  });
};
