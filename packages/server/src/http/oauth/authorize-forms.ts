/**
 * The forms of the authorization endpoint: login, consent, logout. Each checks the authorization
 * request again (the forms carry it) and the CSRF token, and answers with a page or a 303.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { typedRoutes } from '../typed-routes.js';
import { cookieOptions } from '../web/login/respond.js';
import { issueAuthorizationCode } from './authorization-codes.js';
import {
  answerFailure,
  authorizeUrl,
  consentScopes,
  type FlowContext,
  grantableScopes,
  malformedPage,
  redirectTo,
  sessionServes,
  showConsent,
  showLogin,
} from './authorize-flow.js';
import { afterPassword } from './authorize-prompt.js';
import { AUTHORIZE_PARAMETERS, checkAuthorizationRequest } from './authorize-request.js';
import { sendToClient } from './authorize-response.js';

const field = { type: 'string', maxLength: 8192 } as const;
function formSchema(extra: Record<string, typeof field>) {
  const properties: Record<string, typeof field> = {
    ...Object.fromEntries(AUTHORIZE_PARAMETERS.map((name) => [name, field])),
    csrf_token: field,
    ...extra,
  };
  return { hide: true, body: { type: 'object', properties } } as const;
}

/** What every form posts, as its schema types it: string fields, each optional. */
type FormRequest = FastifyRequest<{ Body: FromSchema<ReturnType<typeof formSchema>['body']> }>;

/**
 * Registers POST /oauth/authorize/login, /consent and /logout.
 *
 * @example await registerAuthorizeForms(app, { services, sessions });
 */
export async function registerAuthorizeForms(app: FastifyInstance, ctx: FlowContext): Promise<void> {
  const { services, sessions } = ctx;
  const routes = typedRoutes(app);
  const cookie = (request: FastifyRequest) => cookieOptions(request, services.config.issuer);
  const csrfOk = (request: FormRequest) =>
    sessions.checkCsrf(request.headers.cookie, request.body.csrf_token, cookie(request));

  routes.post(
    '/oauth/authorize/login',
    { attachValidation: true, schema: formSchema({ username: field, password: field }) },
    async (request, reply) => {
      if (request.validationError) return malformedPage(reply);
      const { body } = request;
      const checked = await checkAuthorizationRequest(body, services);
      if (!checked.ok) return answerFailure(ctx, reply, checked, 303);
      const authz = checked.request;
      const username = body.username ?? '';
      const again = (status: number, error: string, headers: Record<string, string> = {}) =>
        showLogin(ctx, request, reply.headers(headers), authz, { status, error, username });
      if (!csrfOk(request)) return again(403, 'This form has expired. Please sign in again.');
      if (username === '' || !body.password) return again(400, 'Enter your username and your password.');

      // The same step as the password grant: one throttle counter per username and per address.
      const outcome = await services.users.passwordLogin({
        username,
        password: body.password,
        clientId: authz.client.clientId,
        ip: request.ip,
        via: 'authorize',
      });
      if (!outcome.ok && outcome.reason === 'throttled') {
        const wait = outcome.retryAfterSeconds;
        return again(429, `Too many failed sign-ins. Try again in ${wait} seconds.`, {
          'retry-after': String(wait),
        });
      }
      if (!outcome.ok) return again(400, 'The username or the password is wrong.');
      // The browser's previous session ends here: a copy of its cookie is refused from now on.
      const replacing = {
        cookieHeader: request.headers.cookie,
        context: { ip: request.ip, clientId: authz.client.clientId, via: 'login' },
      };
      reply.header('set-cookie', await sessions.login(outcome.user, cookie(request), replacing));
      if (authz.subject !== undefined && outcome.user.id !== authz.subject) {
        // Core §3.1.2.1: the user "logged in by the request" is not the id_token_hint's: "the
        // Authorization Server ... SHOULD return an error, such as login_required".
        const values = {
          error: 'login_required',
          error_description: 'the user who signed in is not the one of the id_token_hint',
          state: authz.state,
        };
        return sendToClient(reply, authz, values, services.config.issuer, 303);
      }
      // The password was just typed: prompt=login and max_age are met (authorize-prompt.ts says
      // why dropping them cannot skip a password).
      // A pushed request's seal covers its parameters: sealed again as they are now.
      const after = afterPassword(authz.params);
      const params = after.pushed === undefined ? after : await services.pushedRequests.seal(after);
      const next = { ...authz, params };
      return redirectTo(reply, authorizeUrl(next), 303, authz.redirectUri);
    },
  );

  routes.post(
    '/oauth/authorize/consent',
    { attachValidation: true, schema: formSchema({ decision: field }) },
    async (request, reply) => {
      if (request.validationError) return malformedPage(reply);
      const { body } = request;
      const checked = await checkAuthorizationRequest(body, services);
      if (!checked.ok) return answerFailure(ctx, reply, checked, 303);
      const authz = checked.request;
      const signedIn = await sessions.current(request.headers.cookie, cookie(request));
      // Logged out meanwhile (or the session expired): back to the login page. Or the login is
      // older than the request's max_age, or another user's than the id_token_hint's: the GET
      // asks for the password again.
      if (signedIn === undefined || !sessionServes(authz, signedIn, services.now())) {
        return redirectTo(reply, authorizeUrl(authz), 303, authz.redirectUri);
      }
      const { user } = signedIn;
      if (!csrfOk(request)) {
        return showConsent(ctx, request, reply, authz, user, {
          status: 403,
          error: 'This form has expired. Please choose again.',
        });
      }
      if (body.decision === 'deny') {
        await services.consents.deny({ userId: user.id, clientId: authz.client.clientId, ip: request.ip });
        const denied = {
          error: 'access_denied',
          error_description: 'the user denied the request',
          state: authz.state,
        };
        return sendToClient(reply, authz, denied, services.config.issuer, 303);
      }
      if (body.decision !== 'allow') {
        return showConsent(ctx, request, reply, authz, user, { status: 400, error: 'Choose Allow or Deny.' });
      }
      const scopes = grantableScopes(authz, user);
      await services.consents.grant({
        userId: user.id,
        clientId: authz.client.clientId,
        scopes: consentScopes(authz, user),
        ip: request.ip,
      });
      return issueAuthorizationCode(
        services,
        reply,
        { request: authz, signedIn, scopes, ip: request.ip },
        303,
      );
    },
  );

  routes.post(
    '/oauth/authorize/logout',
    { attachValidation: true, schema: formSchema({}) },
    async (request, reply) => {
      if (request.validationError) return malformedPage(reply);
      const checked = await checkAuthorizationRequest(request.body, services);
      if (!checked.ok) return answerFailure(ctx, reply, checked, 303);
      const authz = checked.request;
      if (!csrfOk(request))
        return showLogin(ctx, request, reply, authz, { status: 403, error: 'This form has expired.' });
      // Ends the session record, not only the cookie: a copy of the cookie is refused from now on.
      const context = { ip: request.ip, clientId: authz.client.clientId, via: 'authorize' };
      reply.header('set-cookie', await sessions.logout(request.headers.cookie, cookie(request), context));
      return redirectTo(reply, authorizeUrl(authz), 303, authz.redirectUri);
    },
  );
}
