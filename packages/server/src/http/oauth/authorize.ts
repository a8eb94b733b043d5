/**
 * GET /oauth/authorize (RFC 6749 §4.1.1, RFC 7636 §4.3) and the forms behind it: the user logs in
 * (same throttling as the password grant), consents once per client (remembered, revocable), and
 * is sent back to the client's verified redirect URI with a code. Pages and forms are in
 * authorize-forms.ts and web/login/.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { typedRoutes } from '../typed-routes.js';
import { STYLESHEET_PATH } from '../web/login/pages.js';
import { cookieOptions, securePage } from '../web/login/respond.js';
import { answerFailure, authorizeAs, type FlowContext, malformedPage } from './authorize-flow.js';
import { registerAuthorizeForms } from './authorize-forms.js';
import { AUTHORIZE_PARAMETERS, checkAuthorizationRequest } from './authorize-request.js';

/** The stylesheet ships in src (like the debugger's); this file is three folders below the package. */
const STYLESHEET = fileURLToPath(new URL('../../../src/http/web/login/login.css', import.meta.url));

const DESCRIPTIONS: Record<(typeof AUTHORIZE_PARAMETERS)[number], string> = {
  response_type: 'must be `code`',
  client_id: 'the client',
  redirect_uri: 'one of the client’s registered redirect URIs, exactly (optional if it has only one)',
  scope: 'space-separated scopes; default: every scope the client is allowed',
  state: 'opaque value returned to the client',
  code_challenge:
    'PKCE: BASE64URL(SHA256(code_verifier)) — required, except for a confidential client registered with `requirePkce: false`',
  code_challenge_method: 'must be `S256` (`plain` is refused)',
  nonce: 'OpenID Connect: opaque value (at most 512 characters) echoed in the ID token',
  prompt:
    'OpenID Connect: space-separated `none` (never a page: `login_required` or `consent_required` instead), `login`, `consent`, `select_account` (the same as `login`); `none` stands alone',
  max_age: 'OpenID Connect: seconds; an older login asks for the password again (0: always)',
  login_hint: 'OpenID Connect: the username to prefill on the login page (at most 256 characters)',
};

/**
 * The authorization endpoint and its pages, as a Fastify plugin (one of WEB_PLUGINS).
 *
 * @example await app.register(authorizationEndpoint);
 */
export async function authorizationEndpoint(app: FastifyInstance): Promise<void> {
  const services = app.sesame;
  const ctx: FlowContext = { services, sessions: await services.browserSessions() };
  const properties: Record<string, { type: 'string'; description: string }> = Object.fromEntries(
    AUTHORIZE_PARAMETERS.map((name) => [name, { type: 'string', description: DESCRIPTIONS[name] }]),
  );

  typedRoutes(app).get(
    '/oauth/authorize',
    {
      // Validation errors are not thrown: the handler shows them on a page (or redirects).
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary: 'Authorization endpoint (code flow with PKCE)',
        description:
          'Opened in a browser. Shows the login and consent pages, then redirects to the redirect URI ' +
          'with `code`, `state` and `iss` (RFC 9207), or with `error`. Errors about the client or the ' +
          'redirect URI are shown on a page, never redirected.',
        querystring: { type: 'object', properties } as const,
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      if (request.validationError) return malformedPage(reply);
      const checked = await checkAuthorizationRequest(request.query, services);
      if (!checked.ok) return answerFailure(ctx, reply, checked);
      const signedIn = await ctx.sessions.current(
        request.headers.cookie,
        cookieOptions(request, services.config.issuer),
      );
      return authorizeAs(ctx, request, reply, checked.request, signedIn);
    },
  );

  app.get(STYLESHEET_PATH, { schema: { hide: true } }, async (_request, reply) => {
    const css = await readFile(STYLESHEET, 'utf8');
    return securePage(reply)
      .header('cache-control', 'public, max-age=3600')
      .type('text/css; charset=utf-8')
      .send(css);
  });

  await registerAuthorizeForms(app, ctx);
}
