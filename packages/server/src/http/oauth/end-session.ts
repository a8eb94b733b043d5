/**
 * The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0): GET and POST /oauth/logout,
 * and the confirmation form behind it, POST /oauth/logout/confirm.
 *
 * A request is checked first (end-session-request.ts: a bad hint or redirect URI is an error page,
 * never a redirect). Then: nobody signed in — nothing to end, the browser goes on; the user of a
 * valid id_token_hint signed in, in the hint's session — signed out at once (§2: the hint is what
 * proves the relying party asked); otherwise a confirmation page (§6: "logout requests without a
 * valid id_token_hint value are a potential means of denial of service; therefore, OPs should
 * obtain explicit confirmation from the End-User"), a form with a CSRF token like the consent form.
 * Signing out ends the browser session and what was born from it (domain/tokens/
 * end-browser-session.ts: its refresh families, and back-channel logout to its clients), then redirects to the verified post_logout_redirect_uri with `state`,
 * or shows a "signed out" page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BrowserSessions, SignedIn } from '../../domain/accounts/browser-sessions.js';
import { typedRoutes } from '../typed-routes.js';
import { errorPage, logoutPage, signedOutPage } from '../web/login/pages.js';
import { cookieOptions, securePage, sendPage } from '../web/login/respond.js';
import {
  type CheckedEndSessionRequest,
  checkEndSessionRequest,
  END_SESSION_DESCRIPTIONS,
  END_SESSION_PARAMETERS,
  type EndSessionParameter,
  type EndSessionRequest,
} from './end-session-request.js';
import { isForm } from './parameters.js';

const field = { type: 'string', maxLength: 8192 } as const;
const described = Object.fromEntries(
  END_SESSION_PARAMETERS.map((name) => [name, { ...field, description: END_SESSION_DESCRIPTIONS[name] }]),
) as Record<(typeof END_SESSION_PARAMETERS)[number], typeof field & { description: string }>;
const parametersSchema = { type: 'object', properties: described } as const;
const confirmSchema = {
  type: 'object',
  properties: { ...described, csrf_token: field, decision: field },
} as const;

/** True when the hint proves the relying party asked for this very session to end. */
function trusted(request: EndSessionRequest, signedIn: SignedIn): boolean {
  const { hint } = request;
  if (hint === undefined || hint.subject !== signedIn.user.id) return false;
  // An ID token of an earlier session of the same user does not speak for this one.
  return hint.sessionId === undefined || hint.sessionId === signedIn.sid;
}

/**
 * The end-session endpoint as a Fastify plugin (one of WEB_PLUGINS).
 *
 * @example await app.register(endSessionEndpoint);
 */
export async function endSessionEndpoint(app: FastifyInstance): Promise<void> {
  const services = app.sesame;
  const sessions: BrowserSessions = await services.browserSessions();
  const cookie = (request: FastifyRequest) => cookieOptions(request, services.config.issuer);

  const refuse = (reply: FastifyReply, failure: Extract<CheckedEndSessionRequest, { ok: false }>) =>
    sendPage(reply, 400, errorPage({ ...failure, link: 'sign-out' }));

  /** Signs the browser out (if it was signed in), then goes back to the client or says so. */
  const signOut = async (
    request: FastifyRequest,
    reply: FastifyReply,
    logout: EndSessionRequest,
    status: 302 | 303,
  ) => {
    const context = { ip: request.ip, clientId: logout.client?.clientId, via: 'end_session' };
    reply.header('set-cookie', await sessions.logout(request.headers.cookie, cookie(request), context));
    if (logout.redirect === undefined) return sendPage(reply, 200, signedOutPage({ signedOut: true }));
    return securePage(reply, logout.redirect.uri).redirect(logout.redirect.url, status);
  };

  const confirmation = (
    request: FastifyRequest,
    reply: FastifyReply,
    logout: EndSessionRequest,
    signedIn: SignedIn,
    problem?: { status: number; error: string },
  ) => {
    const csrf = sessions.csrfCookie(request.headers.cookie, cookie(request));
    const html = logoutPage({
      username: signedIn.user.username,
      clientName: logout.client?.name,
      hidden: { ...logout.params, csrf_token: sessions.csrfToken(csrf.value) },
      error: problem?.error,
    });
    // form-action must let the form's 303 reach the client's post-logout URI (respond.ts).
    return sendPage(reply, problem?.status ?? 200, html, {
      redirectUri: logout.redirect?.uri,
      cookies: [csrf.setCookie],
    });
  };

  const endSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: Partial<Record<EndSessionParameter, string>>,
    method: 'GET' | 'POST',
  ) => {
    const status = method === 'POST' ? 303 : 302;
    const checked = await checkEndSessionRequest(input, services);
    if (!checked.ok) return refuse(reply, checked);
    const logout = checked.request;
    const signedIn = await sessions.current(request.headers.cookie, cookie(request));
    if (signedIn === undefined && method === 'POST') {
      // A cross-site POST carries no SameSite=Lax session cookie (RFC 6265bis §5.5.7.1): the
      // checked request goes on as a GET, a top-level navigation that carries it, so a session
      // is not left standing because its cookie was held back.
      const url = `/oauth/logout?${new URLSearchParams(logout.params as Record<string, string>)}`;
      return securePage(reply).redirect(url, 303);
    }
    if (signedIn !== undefined && !trusted(logout, signedIn)) {
      return confirmation(request, reply, logout, signedIn);
    }
    return signOut(request, reply, logout, status);
  };

  const routes = typedRoutes(app);
  const description =
    'OpenID Connect RP-Initiated Logout 1.0. Opened in a browser. With a valid `id_token_hint` of ' +
    'the signed-in user the session ends at once; otherwise the user is asked to confirm. Then the ' +
    'browser goes to the `post_logout_redirect_uri` (with `state`) or sees a "signed out" page. ' +
    'A bad hint or an unregistered redirect URI is shown on a page, never redirected.';
  routes.get(
    '/oauth/logout',
    {
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary: 'End-session endpoint (RP-Initiated Logout)',
        description,
        querystring: parametersSchema,
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      if (request.validationError) return refuse(reply, malformed);
      return endSession(request, reply, request.query, 'GET');
    },
  );
  routes.post(
    '/oauth/logout',
    {
      attachValidation: true,
      schema: {
        tags: ['oauth'],
        summary: 'End-session endpoint, the parameters in a form',
        description: `${description} The same parameters as the GET, form-encoded in the body.`,
        body: parametersSchema,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      if (request.validationError || !isForm(request)) return refuse(reply, malformed);
      return endSession(request, reply, request.body, 'POST');
    },
  );

  // The confirmation form: the request is checked again (the form carries it), then the CSRF token.
  routes.post(
    '/oauth/logout/confirm',
    { attachValidation: true, schema: { hide: true, body: confirmSchema } },
    async (request, reply) => {
      if (request.validationError || !isForm(request)) return refuse(reply, malformed);
      const checked = await checkEndSessionRequest(request.body, services);
      if (!checked.ok) return refuse(reply, checked);
      const logout = checked.request;
      const signedIn = await sessions.current(request.headers.cookie, cookie(request));
      // Signed out meanwhile (another tab): there is nothing left to confirm.
      if (signedIn === undefined) return signOut(request, reply, logout, 303);
      const { csrf_token: token, decision } = request.body;
      if (!sessions.checkCsrf(request.headers.cookie, token, cookie(request))) {
        return confirmation(request, reply, logout, signedIn, {
          status: 403,
          error: 'This form has expired. Please choose again.',
        });
      }
      if (decision === 'stay') return sendPage(reply, 200, signedOutPage({ signedOut: false }));
      if (decision !== 'logout') {
        return confirmation(request, reply, logout, signedIn, {
          status: 400,
          error: 'Choose Sign out or Stay signed in.',
        });
      }
      return signOut(request, reply, logout, 303);
    },
  );
}

const malformed = {
  ok: false,
  error: 'invalid_request',
  description: 'the request parameters are malformed',
} as const;
