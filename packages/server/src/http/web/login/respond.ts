/**
 * How the login pages answer: HTML with a strict CSP (no script at all, styles only from this
 * server, forms only to this server and — for the redirect after a form — the client's redirect
 * URI), never cached, never framed, never leaking the URL in a Referer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieOptions } from '../../../domain/accounts/browser-sessions.js';

/** The CSP source that lets a form's redirect reach the client: its origin, or a custom scheme. */
export function redirectSource(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

/** The page's CSP; `redirectUri` widens form-action to the one verified redirect URI's origin. */
export function pageCsp(redirectUri?: string): string {
  // Chromium applies form-action to the redirects that follow a form submission, so the client's
  // origin must be allowed for the consent form's 303 to reach it.
  const formAction = redirectUri === undefined ? "'self'" : `'self' ${redirectSource(redirectUri)}`;
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Security headers of every page and redirect of the authorization endpoint. */
export function securePage(reply: FastifyReply, redirectUri?: string): FastifyReply {
  return reply.headers({
    'content-security-policy': pageCsp(redirectUri),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // RFC 9700 §4.2.4: the authorization request and response must not leak through Referer.
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  });
}

/** Sends an HTML page with its status, the page headers and any cookies. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  html: string,
  options: { redirectUri?: string; cookies?: (string | undefined)[] } = {},
): FastifyReply {
  const cookies = (options.cookies ?? []).filter((cookie): cookie is string => cookie !== undefined);
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  return securePage(reply, options.redirectUri).code(status).type('text/html; charset=utf-8').send(html);
}

/** Cookies are Secure when the page is served over https (directly, or behind a trusted proxy). */
export function cookieOptions(request: FastifyRequest, issuer: string): CookieOptions {
  return { secure: request.protocol === 'https' || issuer.startsWith('https:') };
}
