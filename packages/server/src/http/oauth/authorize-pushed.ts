/**
 * An authorization request by reference to a pushed one (RFC 9126 §4): `client_id` and a
 * `request_uri` from POST /oauth/par. The pushed parameters are the request, and only them: every
 * other parameter sent beside the two is ignored (§4: the authorization server "MUST only use the
 * parameters contained in the pushed request"; ignoring rather than refusing lets a client send
 * duplicates such as `response_type` for a library's sake). The request_uri is spent here, once
 * (§7.3), and the request goes on through the pages sealed (pushed-requests.ts), so the login →
 * consent → code sequence never needs it again.
 */
import { REQUEST_URI_PREFIX } from '../../domain/authorization/pushed-requests.js';
import { OAuthError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';
import { type Parameters, readParameters } from './parameters.js';

export type ResolvedRequest =
  /** The input to check: the request as given, or the pushed one, sealed. */
  | { ok: true; input: unknown }
  /** Shown on a page, never redirected: the redirect URI is the pushed request's, and it is not known. */
  | { ok: false; error: OAuthError };

/**
 * Replaces a request by reference with the pushed request. A request_uri that is not a pushed one
 * (any other URI) is left to the usual checks (`request_uri_not_supported`: never fetched).
 *
 * @example
 * const resolved = await resolvePushedRequest(request.query, services);
 * if (!resolved.ok) return errorPage(resolved.error);
 * const checked = await checkAuthorizationRequest(resolved.input, services);
 */
export async function resolvePushedRequest(
  input: unknown,
  services: Pick<Services, 'pushedRequests'>,
): Promise<ResolvedRequest> {
  let params: Parameters;
  try {
    params = readParameters(input);
  } catch (error) {
    // The usual checks give the same answer for a malformed request.
    if (error instanceof OAuthError) return { ok: true, input };
    throw error;
  }
  const requestUri = params.request_uri;
  if (requestUri === undefined || !requestUri.startsWith(REQUEST_URI_PREFIX)) return { ok: true, input };
  // §4: "client_id REQUIRED" beside the request_uri; it must be the client that pushed it.
  if (params.client_id === undefined) {
    return { ok: false, error: new OAuthError('invalid_request', 'the client_id parameter is missing') };
  }
  const pushed = await services.pushedRequests.take(requestUri, params.client_id);
  if (pushed === undefined) {
    return {
      ok: false,
      error: new OAuthError(
        'invalid_request_uri',
        'the request_uri is unknown, expired, already used, or was pushed by another client',
      ),
    };
  }
  return { ok: true, input: await services.pushedRequests.seal(pushed) };
}
