/**
 * GET and POST /oauth/authorize (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core §3.1.2.1) and
 * the forms behind it: the user logs in (same throttling as the password grant), consents once per
 * client (remembered, revocable), and is sent back to the client's verified redirect URI with a
 * code. Pages and forms are in authorize-forms.ts and web/login/; the forms post to their own paths
 * (/oauth/authorize/login, /consent, /logout), never to /oauth/authorize, whose POST is only the
 * authorization request itself.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import { typedRoutes } from '../typed-routes.js';
import { STYLESHEET_PATH } from '../web/login/pages.js';
import { cookieOptions, securePage } from '../web/login/respond.js';
import {
  answerFailure,
  authorizeAs,
  authorizeUrl,
  type FlowContext,
  malformedPage,
  redirectTo,
} from './authorize-flow.js';
import { registerAuthorizeForms } from './authorize-forms.js';
import { resolvePushedRequest } from './authorize-pushed.js';
import { AUTHORIZE_PARAMETERS, checkAuthorizationRequest } from './authorize-request.js';
import { registerPushedAuthorizationEndpoint } from './par.js';
import { isForm } from './parameters.js';

/**
 * The longest request target the cookie-less POST hands on as a GET. Node refuses a request whose
 * headers pass 16 KiB (431) and a proxy's request line is often shorter still (nginx's default
 * buffer is 8 KiB: 414), so a longer one would end on an error page no one explains; it is refused
 * here instead, back to the client, which can send shorter parameters. Each parameter may have
 * 8192 characters (parameters.ts): a request near that over several parameters is what this stops.
 */
const GET_URL_MAX_BYTES = 8192;

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
  id_token_hint:
    'OpenID Connect: an ID token this server issued to this client (accepted expired); its user must be the one signed in, or the password is asked (`login_required` with prompt=none)',
  display: 'OpenID Connect: `page`, `popup`, `touch` or `wap` (the pages are the same on every device)',
  ui_locales:
    'OpenID Connect: preferred languages, space-separated (the pages are in English; unknown tags are ignored)',
  claims_locales:
    'OpenID Connect: preferred languages of claims, space-separated (ignored: claims have one language)',
  acr_values:
    'OpenID Connect: preferred authentication context classes, space-separated (voluntary; the ID token’s `acr` says which one was met)',
  request: 'OpenID Connect request object: not supported (`request_not_supported`, sent back to the client)',
  request_uri:
    'RFC 9126: the `request_uri` POST /oauth/par answered, with `client_id` (every other parameter is ignored; usable once, for 60 s; else `invalid_request_uri`). Any other URI: not supported (`request_uri_not_supported`), never fetched',
  claims:
    'OpenID Connect: JSON naming claims for the ID token (`id_token`) and /userinfo (`userinfo`); each needs its scope’s permission and the user’s consent. An essential `acr` other than `urn:sesame:acr:pwd` is `access_denied`',
  dpop_jkt:
    'DPoP (RFC 9449 §10): the JWK SHA-256 thumbprint of the key whose proof must come with the code exchange',
  pushed:
    'set by the server, never by a client: the seal (an HMAC of the parameters and a time) that carries a pushed request through the login and consent pages',
  response_mode:
    '`query` (default: the response in the redirect URI’s query) or `form_post` (a page that posts it to the redirect URI, which must be http(s))',
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

  /** Checks the request, then goes on as the browser's session (or its absence) allows. */
  const authorize = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: unknown,
    method: 'GET' | 'POST',
  ): Promise<FastifyReply> => {
    // After a POST, 303 (RFC 9110 §15.4.4): the browser follows with a GET, never re-posting.
    const status = method === 'POST' ? 303 : 302;
    // RFC 9126 §4: a request_uri from POST /oauth/par stands for the pushed request (spent here).
    const resolved = await resolvePushedRequest(input, services);
    if (!resolved.ok) return answerFailure(ctx, reply, resolved, status);
    const checked = await checkAuthorizationRequest(resolved.input, services);
    if (!checked.ok) return answerFailure(ctx, reply, checked, status);
    const signedIn = await ctx.sessions.current(
      request.headers.cookie,
      cookieOptions(request, services.config.issuer),
    );
    if (signedIn === undefined && method === 'POST') {
      // A cross-site POST carries no SameSite=Lax cookie (RFC 6265bis §5.5.7.1), so a POST without a
      // live session may be one whose session cookie the browser held back. The checked request goes
      // on as a GET, a top-level navigation that does carry it: a signed-in user is not asked to
      // sign in again, and prompt=none is not answered login_required for a session it cannot see.
      const next = authorizeUrl(checked.request);
      const bytes = Buffer.byteLength(next);
      if (bytes > GET_URL_MAX_BYTES) {
        const { redirectUri, state, responseMode } = checked.request;
        const error = new OAuthError(
          'invalid_request',
          `the authorization request is too long to continue as a GET (${bytes} bytes; at most ${GET_URL_MAX_BYTES} bytes): send shorter parameters`,
        );
        return answerFailure(
          ctx,
          reply,
          { ok: false, error, redirect: { redirectUri, state, responseMode } },
          303,
        );
      }
      return redirectTo(reply, next, 303, checked.request.redirectUri);
    }
    return authorizeAs(ctx, request, reply, checked.request, signedIn, status);
  };
  const description =
    'Opened in a browser. Shows the login and consent pages, then redirects to the redirect URI ' +
    'with `code`, `state` and `iss` (RFC 9207), or with `error`. Errors about the client or the ' +
    'redirect URI are shown on a page, never redirected.';

  typedRoutes(app).get(
    '/oauth/authorize',
    {
      // Validation errors are not thrown: the handler shows them on a page (or redirects).
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary: 'Authorization endpoint (code flow with PKCE)',
        description,
        querystring: { type: 'object', properties } as const,
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      if (request.validationError) return malformedPage(reply);
      return authorize(request, reply, request.query, 'GET');
    },
  );

  // OpenID Connect Core §3.1.2.1: "Authorization Servers MUST support the use of the HTTP GET and
  // POST methods", POST with the parameters form-serialized. The same parameters and checks; the
  // answers are 303s, so the browser follows them with a GET.
  typedRoutes(app).post(
    '/oauth/authorize',
    {
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary: 'Authorization endpoint, the parameters in a form (OpenID Connect Core §3.1.2.1)',
        description:
          `${description} The same parameters as the GET, form-encoded in the body (the query is ` +
          'not read). Without a live session the checked request continues as a GET (303), which ' +
          'carries the SameSite=Lax session cookie that a cross-site POST does not; a request too long ' +
          'for that GET (over 8192 bytes) is `invalid_request`, sent back to the client.',
        body: { type: 'object', properties } as const,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      if (request.validationError) return malformedPage(reply);
      if (!isForm(request)) {
        return malformedPage(reply, 'the authorization request must be form-encoded');
      }
      return authorize(request, reply, request.body, 'POST');
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
  registerPushedAuthorizationEndpoint(app);
}
