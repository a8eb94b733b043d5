/**
 * GET /: a page for whoever opens the server's address in a browser, linking to what a newcomer
 * looks for first (the API docs, the token debugger, the metadata and the keys). Static HTML with
 * the login pages' stylesheet and their CSP (no script at all).
 */
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml, STYLESHEET_PATH } from './login/pages.js';
import { securePage } from './login/respond.js';

/** The links of the page: path and what is there. */
export const HOME_LINKS: readonly (readonly [path: string, label: string])[] = [
  ['/docs', 'API docs (OpenAPI 3, Swagger UI): Authorize, then try any endpoint'],
  ['/debugger', 'Token debugger: decode, verify and sign JWTs in the browser'],
  ['/.well-known/openid-configuration', 'OpenID Connect discovery metadata'],
  ['/.well-known/oauth-authorization-server', 'OAuth 2.0 authorization server metadata (RFC 8414)'],
  ['/.well-known/jwks.json', 'JWKS: the public keys that verify this server’s tokens'],
  ['/healthz', 'Health probe'],
];

export function homePage(): string {
  const items = HOME_LINKS.map(
    ([path, label]) =>
      `<li><a href="${escapeHtml(path)}"><code>${escapeHtml(path)}</code></a> — ${escapeHtml(label)}</li>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en" data-ready="true">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sesame</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main class="card" aria-labelledby="title">
<p class="brand">Sesame</p>
<h1 id="title">This Sesame server is running</h1>
<p class="lead">A JWT authentication server. Tokens come from <code>POST /oauth/token</code>; users and
clients are managed with the CLI (<code>npx sesame --help</code>).</p>
<ul class="links">
${items}
</ul>
</main>
</body>
</html>
`;
}

/**
 * GET / (and HEAD): the landing page. Hidden from the OpenAPI document: pages are not API.
 *
 * @example await app.register(homePageRoute);
 */
export const homePageRoute: FastifyPluginAsync = async (app) => {
  const html = homePage();
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    securePage(reply).type('text/html; charset=utf-8').send(html),
  );
};
