/**
 * How the authorization response reaches the client, in the request's response mode: `query` (RFC
 * 6749 §4.1.2, the default of the code flow) redirects to the redirect URI with the values in its
 * query; `form_post` (OAuth 2.0 Form Post Response Mode §2) answers a page whose form posts them to
 * the redirect URI and submits itself. Codes and errors go the same way, with `iss` (RFC 9207).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import { escapeHtml } from '../web/login/pages.js';
import { redirectSource, securePage } from '../web/login/respond.js';

/** The response modes Sesame answers in, for discovery's `response_modes_supported`. */
export const RESPONSE_MODES = ['query', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/** Where a response goes: the verified redirect URI, the request's state, its response mode. */
export interface ClientTarget {
  redirectUri: string;
  state: string | undefined;
  responseMode: ResponseMode;
}

/**
 * The one script of the form_post page. Its hash is the page's only `script-src`, so no other
 * script (an injected one included) could run even if the escaping below failed.
 */
const SUBMIT_SCRIPT = 'document.forms[0].submit();';
const SUBMIT_SCRIPT_HASH = `'sha256-${createHash('sha256').update(SUBMIT_SCRIPT).digest('base64')}'`;

/** The response's values with `iss` added, undefined ones left out, in a stable order. */
function responseEntries(values: Record<string, string | undefined>, issuer: string): [string, string][] {
  return Object.entries({ ...values, iss: issuer }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
}

/**
 * The redirect URI with response parameters added to its query (RFC 6749 §4.1.2: a query the
 * client registered is kept), and `iss` (RFC 9207) so a client talking to several servers can
 * tell who answered.
 *
 * @example responseUrl('https://app/cb', { code, state }, issuer) // 'https://app/cb?code=…&state=…&iss=…'
 */
export function responseUrl(
  redirectUri: string,
  values: Record<string, string | undefined>,
  issuer: string,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of responseEntries(values, issuer)) url.searchParams.append(name, value);
  return url.href;
}

/**
 * The form_post page (Form Post Response Mode §2): a form to the redirect URI with each value in a
 * hidden field, every value HTML-escaped, submitted by the one hashed script; with JavaScript off,
 * a button submits it.
 *
 * @example formPostPage('https://app/cb', { code, state }, issuer) // '<!doctype html>…<form method="post" action="https://app/cb">…'
 */
export function formPostPage(
  redirectUri: string,
  values: Record<string, string | undefined>,
  issuer: string,
): string {
  const fields = responseEntries(values, issuer)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>Back to the application · Sesame</title>
</head>
<body>
<form method="post" action="${escapeHtml(redirectUri)}">
${fields}
<noscript><p>JavaScript is off: press the button to go back to the application.</p><button type="submit">Continue</button></noscript>
</form>
<script>${SUBMIT_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * The form_post page's CSP: nothing but its own script, and the form to the redirect URI's origin.
 * Nothing from this server either: the page has no stylesheet, image or frame.
 */
export function formPostCsp(redirectUri: string): string {
  return [
    "default-src 'none'",
    `script-src ${SUBMIT_SCRIPT_HASH}`,
    `form-action ${redirectSource(redirectUri)}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Sends the authorization response to the client in its response mode: a redirect (302, or 303
 * after a form or a POST) for `query`, the self-submitting page (200) for `form_post`; never cached
 * (RFC 6749 §5.1's no-store, and the page holds a code).
 *
 * @example return sendToClient(reply, authz, { code, state: authz.state }, issuer, 303);
 */
export function sendToClient(
  reply: FastifyReply,
  target: ClientTarget,
  values: Record<string, string | undefined>,
  issuer: string,
  status: 302 | 303,
): FastifyReply {
  const secured = securePage(reply, target.redirectUri);
  if (target.responseMode === 'query') {
    return secured.redirect(responseUrl(target.redirectUri, values, issuer), status);
  }
  return secured
    .header('content-security-policy', formPostCsp(target.redirectUri))
    .code(200)
    .type('text/html; charset=utf-8')
    .send(formPostPage(target.redirectUri, values, issuer));
}

/**
 * `response_mode` (OAuth 2.0 Multiple Response Type Encoding Practices §2.1): `query`, the code
 * flow's default, or `form_post`; any other value is invalid_request (sent back in the query).
 * form_post posts a form from the user's browser, so it needs a web redirect URI: a custom scheme
 * (a native app's) cannot receive a POST.
 *
 * @example readResponseMode('form_post', 'https://app/cb') // 'form_post'
 */
export function readResponseMode(value: string | undefined, redirectUri: string): ResponseMode | OAuthError {
  if (value === undefined) return 'query';
  if (!(RESPONSE_MODES as readonly string[]).includes(value)) {
    return new OAuthError('invalid_request', `response_mode must be one of: ${RESPONSE_MODES.join(', ')}`);
  }
  if (value === 'form_post' && !/^https?:$/.test(new URL(redirectUri).protocol)) {
    return new OAuthError('invalid_request', 'response_mode=form_post needs an http(s) redirect URI');
  }
  return value as ResponseMode;
}
