/**
 * The parameters of a logout request (OpenID Connect RP-Initiated Logout 1.0 §2) and their checks,
 * made the same way for the GET, the POST and the confirmation form that carries them:
 *
 * - `id_token_hint`: "the OP MUST validate that it was the issuer of the ID Token" (§2) — any
 *   hint that fails (another issuer, a forged or `none` signature, an access token) stops the
 *   request on an error page: nothing is ended and nobody is redirected. An expired one is taken.
 * - `client_id`: "When both client_id and id_token_hint are present, the OP MUST verify that the
 *   Client Identifier matches the one used when issuing the ID Token" (§2).
 * - `post_logout_redirect_uri`: needs the client (by `client_id` or the hint) and must be one of
 *   its registered `post_logout_redirect_uris`, exactly (§3: "MUST NOT perform post-logout
 *   redirection if the post_logout_redirect_uri value supplied does not exactly match"); else an
 *   error page, never a redirect.
 * - `state` goes back with the redirect; `logout_hint` and `ui_locales` are taken and not used
 *   (one account per browser session, pages in English).
 */
import type { Services } from '../../domain/services.js';
import type { IdTokenHint } from '../../domain/tokens/id-token-hint.js';
import type { Client } from '../../store/types.js';

/** The parameters of §2, in the order a form carries them. */
export const END_SESSION_PARAMETERS = [
  'id_token_hint',
  'logout_hint',
  'client_id',
  'post_logout_redirect_uri',
  'state',
  'ui_locales',
] as const;

export type EndSessionParameter = (typeof END_SESSION_PARAMETERS)[number];

/** What each parameter does, for the route schemas (and so for /docs). */
export const END_SESSION_DESCRIPTIONS: Record<EndSessionParameter, string> = {
  id_token_hint:
    'an ID token this server issued to the client (expired accepted): with it, and the same user signed in, no confirmation is asked',
  logout_hint: 'accepted, not used (a browser holds one Sesame session)',
  client_id: 'the client asking; must be the ID token’s client when both are sent',
  post_logout_redirect_uri:
    'one of the client’s registered post-logout redirect URIs, exactly; needs `client_id` or `id_token_hint`',
  state: 'opaque value returned with the redirect',
  ui_locales: 'accepted, not used (the pages are in English)',
};

export interface EndSessionRequest {
  /** The parameters as sent (those of §2 only), for the confirmation form to carry. */
  params: Partial<Record<EndSessionParameter, string>>;
  /** The verified hint, when one was sent. */
  hint?: IdTokenHint;
  /** The client, from `client_id` or the hint, when it is registered. */
  client?: Client;
  /** Where the browser goes once signed out, with `state`: a registered URI, verified. */
  redirect?: { uri: string; url: string };
}

export type CheckedEndSessionRequest =
  | { ok: true; request: EndSessionRequest }
  | { ok: false; error: 'invalid_request' | 'invalid_client'; description: string };

const fail = (description: string, error: 'invalid_request' | 'invalid_client' = 'invalid_request') =>
  ({ ok: false, error, description }) as const;

/** The redirect after logout: the registered URI, `state` added to its query (§3). */
export function postLogoutUrl(uri: string, state: string | undefined): string {
  const url = new URL(uri);
  if (state !== undefined) url.searchParams.append('state', state);
  return url.href;
}

/**
 * Checks a logout request; the parameters have passed the route schema (each a string, at most
 * once). Never throws for bad input.
 *
 * @example const checked = await checkEndSessionRequest(request.query, services);
 */
export async function checkEndSessionRequest(
  input: Partial<Record<EndSessionParameter, string>>,
  services: Pick<Services, 'idTokenHints' | 'clients'>,
): Promise<CheckedEndSessionRequest> {
  const params: EndSessionRequest['params'] = {};
  for (const name of END_SESSION_PARAMETERS) {
    const value = input[name];
    if (value !== undefined && value !== '') params[name] = value;
  }
  const request: EndSessionRequest = { params };
  if (params.id_token_hint !== undefined) {
    const verified = services.idTokenHints.verify(params.id_token_hint);
    if (!verified.ok) return fail('the id_token_hint is not an ID token issued by this server');
    request.hint = verified.hint;
  }
  if (request.hint && params.client_id !== undefined && params.client_id !== request.hint.clientId) {
    return fail('the client_id is not the client the id_token_hint was issued to');
  }
  const clientId = params.client_id ?? request.hint?.clientId;
  if (clientId !== undefined) {
    request.client = await services.clients.find(clientId);
    // A client named outright must exist; the client of a hint may have been removed since.
    if (request.client === undefined && params.client_id !== undefined) {
      return fail('the client is not registered here', 'invalid_client');
    }
  }
  const uri = params.post_logout_redirect_uri;
  if (uri !== undefined) {
    if (request.client === undefined) {
      return fail('a post_logout_redirect_uri needs the client: send client_id or id_token_hint');
    }
    // Exact string comparison: no prefix, no case folding, no normalising (§3).
    if (!request.client.postLogoutRedirectUris.includes(uri)) {
      return fail('the post_logout_redirect_uri is not registered for this client');
    }
    request.redirect = { uri, url: postLogoutUrl(uri, params.state) };
  }
  return { ok: true, request };
}
