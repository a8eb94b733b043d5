/**
 * The steps shared by GET /oauth/authorize and its forms: answer a failed check (error page or
 * redirect), show the login page, and — for a logged-in user — either hand out a code at once
 * (consent remembered) or ask for consent.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BrowserSessions, SignedIn } from '../../domain/accounts/browser-sessions.js';
import { releasableClaims, scopeOfClaim } from '../../domain/accounts/claims.js';
import type { Services } from '../../domain/services.js';
import type { User } from '../../store/types.js';
import { consentPage, errorPage, loginPage } from '../web/login/pages.js';
import { cookieOptions, securePage, sendPage } from '../web/login/respond.js';
import { issueAuthorizationCode } from './authorization-codes.js';
import { needsPassword } from './authorize-prompt.js';
import type { AuthorizationRequest, CheckedAuthorizationRequest } from './authorize-request.js';
import { sendToClient } from './authorize-response.js';

export interface FlowContext {
  services: Services;
  sessions: BrowserSessions;
}

/** The scopes a user can grant: those asked for that the user holds (RFC 6749 §3.3 lets us narrow). */
export function grantableScopes(request: AuthorizationRequest, user: User): string[] {
  return request.scopes.filter((scope) => user.scopes.includes(scope));
}

/**
 * What the user consents to: the scopes granted, and the scope of each claim asked for by name
 * (Core §5.5) that the user holds. A claim released by name is the same personal data as when
 * its scope releases it, so it is shown on the consent page and needs the same remembered consent.
 *
 * @example consentScopes(authz, alice) // ['openid', 'quiz', 'email'] for claims={"id_token":{"email":null}}
 */
export function consentScopes(request: AuthorizationRequest, user: User): string[] {
  const scopes = grantableScopes(request, user);
  const { userinfo, idToken } = releasableClaims(request.claims, user.scopes);
  for (const name of [...userinfo, ...idToken]) {
    const scope = scopeOfClaim(name);
    if (scope !== undefined && !scopes.includes(scope)) scopes.push(scope);
  }
  return scopes;
}

/** Redirect (303 after a form or a POST, 302 otherwise) back to the authorization endpoint, with the page headers. */
export function redirectTo(reply: FastifyReply, url: string, status: 302 | 303, redirectUri: string) {
  return securePage(reply, redirectUri).redirect(url, status);
}

/** A failed check: sent back to the client when its redirect URI is verified, a page otherwise. */
export function answerFailure(
  ctx: FlowContext,
  reply: FastifyReply,
  failure: Extract<CheckedAuthorizationRequest, { ok: false }>,
  status: 302 | 303 = 302,
): FastifyReply {
  const { error, redirect } = failure;
  const body = error.toJSON();
  if (redirect === undefined) {
    return sendPage(reply, 400, errorPage({ error: body.error, description: body.error_description }));
  }
  const values = { error: error.error, error_description: body.error_description, state: redirect.state };
  return sendToClient(reply, redirect, values, ctx.services.config.issuer, status);
}

/**
 * prompt=none and a page would be needed (Core §3.1.2.6): the error goes back to the client, with
 * `state` and `iss`, never a login or consent page. Reached only after the redirect URI was verified.
 */
export function interactionRequired(
  ctx: FlowContext,
  reply: FastifyReply,
  authz: AuthorizationRequest,
  error: 'login_required' | 'consent_required',
  description: string,
  status: 302 | 303 = 302,
): FastifyReply {
  const values = { error, error_description: description, state: authz.state };
  return sendToClient(reply, authz, values, ctx.services.config.issuer, status);
}

/**
 * GET /oauth/authorize once the request is checked: the login page when there is no session or
 * it is not enough (prompt=login, select_account, max_age, another user than id_token_hint's),
 * otherwise on as that user; with prompt=none, `login_required` instead of the login page.
 */
export function authorizeAs(
  ctx: FlowContext,
  httpRequest: FastifyRequest,
  reply: FastifyReply,
  authz: AuthorizationRequest,
  signedIn: SignedIn | undefined,
  status: 302 | 303 = 302,
): Promise<FastifyReply> | FastifyReply {
  if (signedIn !== undefined && sessionServes(authz, signedIn, ctx.services.now())) {
    return continueAsUser(ctx, httpRequest, reply, authz, signedIn, status);
  }
  const otherUser = signedIn !== undefined && !isRequestedUser(authz, signedIn);
  if (authz.interaction.prompt.has('none')) {
    const why =
      signedIn === undefined
        ? 'no one is signed in'
        : otherUser
          ? 'the signed-in user is not the one of the id_token_hint'
          : 'the sign-in is older than max_age';
    return interactionRequired(ctx, reply, authz, 'login_required', why, status);
  }
  return showLogin(ctx, httpRequest, reply, authz);
}

/**
 * Core §3.1.2.1: with an id_token_hint, only its user's session serves the request; a session of
 * another user is asked for the password again (and with prompt=none, answered login_required).
 */
function isRequestedUser(authz: AuthorizationRequest, signedIn: SignedIn): boolean {
  return authz.subject === undefined || signedIn.user.id === authz.subject;
}

/**
 * True when the live session is enough for this request: the user it asks for (id_token_hint),
 * and no password asked again (prompt=login, select_account, max_age: authorize-prompt.ts).
 *
 * @example if (!sessionServes(authz, signedIn, now())) return redirectTo(reply, authorizeUrl(authz), 303, ...)
 */
export function sessionServes(authz: AuthorizationRequest, signedIn: SignedIn, now: number): boolean {
  return isRequestedUser(authz, signedIn) && !needsPassword(authz.interaction, signedIn, now);
}

/** A request whose parameters fail the route schema (e.g. one given twice): a page, never a redirect. */
export function malformedPage(
  reply: FastifyReply,
  description = 'the request parameters are malformed',
): FastifyReply {
  return sendPage(reply, 400, errorPage({ error: 'invalid_request', description }));
}

/** The form fields that carry the request, plus the CSRF token (and a fresh CSRF cookie if needed). */
function formState(ctx: FlowContext, httpRequest: FastifyRequest, authz: AuthorizationRequest) {
  const cookie = cookieOptions(httpRequest, ctx.services.config.issuer);
  const csrf = ctx.sessions.csrfCookie(httpRequest.headers.cookie, cookie);
  return {
    hidden: { ...authz.params, csrf_token: ctx.sessions.csrfToken(csrf.value) },
    setCookie: csrf.setCookie,
  };
}

/** The login page for this request. */
export function showLogin(
  ctx: FlowContext,
  httpRequest: FastifyRequest,
  reply: FastifyReply,
  authz: AuthorizationRequest,
  options: { status?: number; error?: string; username?: string; cookies?: string[] } = {},
): FastifyReply {
  const state = formState(ctx, httpRequest, authz);
  const html = loginPage({
    clientName: authz.client.name,
    hidden: state.hidden,
    // A hint only prefills: the password is always asked (authorize-prompt.ts caps its length).
    username: options.username ?? authz.interaction.loginHint,
    error: options.error,
  });
  return sendPage(reply, options.status ?? 200, html, {
    redirectUri: authz.redirectUri,
    cookies: [...(options.cookies ?? []), state.setCookie],
  });
}

/** The consent page for this request and user. */
export async function showConsent(
  ctx: FlowContext,
  httpRequest: FastifyRequest,
  reply: FastifyReply,
  authz: AuthorizationRequest,
  user: User,
  options: { status?: number; error?: string } = {},
): Promise<FastifyReply> {
  const state = formState(ctx, httpRequest, authz);
  const html = consentPage({
    clientName: authz.client.name,
    username: user.username,
    scopes: consentScopes(authz, user),
    descriptions: await ctx.services.scopeDescriptions.list(),
    hidden: state.hidden,
    error: options.error,
  });
  return sendPage(reply, options.status ?? 200, html, {
    redirectUri: authz.redirectUri,
    cookies: [state.setCookie],
  });
}

/**
 * A logged-in user: a code at once when their remembered consent covers the scopes (and
 * prompt=consent does not ask again), otherwise the consent page, or `consent_required` for
 * prompt=none.
 */
export async function continueAsUser(
  ctx: FlowContext,
  httpRequest: FastifyRequest,
  reply: FastifyReply,
  authz: AuthorizationRequest,
  signedIn: SignedIn,
  status: 302 | 303 = 302,
): Promise<FastifyReply> {
  const { user } = signedIn;
  const scopes = grantableScopes(authz, user);
  const consent = await ctx.services.consents.find(user.id, authz.client.clientId);
  const covered =
    consent !== undefined && consentScopes(authz, user).every((scope) => consent.scopes.includes(scope));
  if (covered && !authz.interaction.prompt.has('consent')) {
    const issued = { request: authz, signedIn, scopes, ip: httpRequest.ip };
    return issueAuthorizationCode(ctx.services, reply, issued, status);
  }
  if (authz.interaction.prompt.has('none')) {
    return interactionRequired(
      ctx,
      reply,
      authz,
      'consent_required',
      'the user has not consented to these scopes',
      status,
    );
  }
  return showConsent(ctx, httpRequest, reply, authz, user);
}

/** GET /oauth/authorize with the request's own parameters (after login or logout). */
export function authorizeUrl(authz: AuthorizationRequest): string {
  return `/oauth/authorize?${new URLSearchParams(authz.params).toString()}`;
}
