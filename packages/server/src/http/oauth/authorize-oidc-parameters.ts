/**
 * The OpenID Connect parameters of the authorization request besides prompt, max_age and
 * login_hint (authorize-prompt.ts): `id_token_hint` names the user the request is for; `display`,
 * `ui_locales`, `claims_locales` and `acr_values` are accepted and checked loosely (Core 1.0
 * §3.1.2.1); the request objects `request` and `request_uri` (Core §6) are refused — Sesame never
 * parses a request object and never fetches a `request_uri`. (The request_uri of a pushed request,
 * RFC 9126, is resolved before these checks: authorize-pushed.ts.)
 */
import { OAuthError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';

/** Core §3.1.2.1's `display` values, for discovery's `display_values_supported`. */
export const DISPLAY_VALUES = ['page', 'popup', 'touch', 'wap'] as const;
export type Display = (typeof DISPLAY_VALUES)[number];

/** The languages of the login and consent pages (`<html lang>`), for `ui_locales_supported`. */
export const UI_LOCALES = ['en'] as const;

/** What the checked parameters ask for. */
export interface OidcParameters {
  /** How the pages should be shown; Sesame's pages are the same on every device (responsive). */
  display: Display | undefined;
  /** `ui_locales`, the well-formed tags in the order of preference. */
  uiLocales: string[];
  /** `acr_values`, in the order of preference (voluntary: the ID token says what was done). */
  acrValues: string[];
}

/** A BCP 47 language tag, checked loosely: letters, digits and hyphens, subtags of 1 to 8. */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** The values of a space-separated parameter (runs of spaces allowed, none empty). */
function spaceSeparated(value: string | undefined): string[] {
  return (value ?? '').split(' ').filter((part) => part !== '');
}

/**
 * Core §6.1/§6.2: "request_not_supported — The OP does not support use of the request parameter"
 * and "request_uri_not_supported". Returned once the client and its redirect URI are verified, so
 * the error goes back to the client; the object is never decoded and the URI never fetched.
 *
 * @example const refused = refusedRequestObject(params); if (refused) return back(refused);
 */
export function refusedRequestObject(params: Readonly<Record<string, string>>): OAuthError | undefined {
  if (params.request !== undefined) {
    return new OAuthError(
      'request_not_supported',
      'request objects (the request parameter) are not supported',
    );
  }
  if (params.request_uri !== undefined) {
    return new OAuthError('request_uri_not_supported', 'the request_uri parameter is not supported');
  }
  return undefined;
}

/**
 * Reads `display`, `ui_locales`, `claims_locales` and `acr_values`. Only `display` can fail: a
 * value outside Core's four is invalid_request. Locales are preferences: a malformed or unknown
 * tag is left out, never a reason to refuse (Core: "an error SHOULD NOT result"). `claims_locales`
 * is read the same way and then unused: no claim has a translation here.
 *
 * @example readOidcParameters({ display: 'popup', ui_locales: 'fr-CA en' }) // { display: 'popup', uiLocales: ['fr-CA', 'en'], acrValues: [] }
 */
export function readOidcParameters(params: Readonly<Record<string, string>>): OidcParameters {
  const { display } = params;
  if (display !== undefined && !(DISPLAY_VALUES as readonly string[]).includes(display)) {
    throw new OAuthError('invalid_request', `display must be one of: ${DISPLAY_VALUES.join(', ')}`);
  }
  return {
    display: display as Display | undefined,
    uiLocales: spaceSeparated(params.ui_locales).filter((tag) => LANGUAGE_TAG.test(tag)),
    acrValues: spaceSeparated(params.acr_values),
  };
}

/** Why a hint is refused, said to the client (never the token itself). */
const HINT_REFUSED = {
  not_issued: 'this server issues no ID tokens (HMAC mode), so no id_token_hint is valid',
  invalid: 'the id_token_hint is not an ID token signed by this server',
  type: 'the id_token_hint is not an ID token (typ)',
  issuer: 'the id_token_hint was issued by another server',
  claims: 'the id_token_hint lacks sub, aud or exp',
} as const;

/**
 * `id_token_hint` (Core §3.1.2.1): "an ID Token previously issued by the Authorization Server",
 * so its signature must verify with a published key and its `iss` be ours (id-token-hint.ts); it
 * is accepted expired, since a relying party hands back the ID token it kept. It must have been
 * issued to the client asking, or one client could ask in the name of another's user. Its `sub`
 * is the user the request is for; a hint that fails is invalid_request.
 *
 * @example const subject = readIdTokenHint(params.id_token_hint, client.clientId, services); // 'u-1', undefined or an OAuthError
 */
export function readIdTokenHint(
  hint: string | undefined,
  clientId: string,
  services: Pick<Services, 'idTokenHints'>,
): string | undefined | OAuthError {
  if (hint === undefined) return undefined;
  const outcome = services.idTokenHints.verify(hint);
  if (!outcome.ok) return new OAuthError('invalid_request', HINT_REFUSED[outcome.reason]);
  if (outcome.hint.clientId !== clientId) {
    return new OAuthError('invalid_request', 'the id_token_hint was issued to another client');
  }
  return outcome.hint.subject;
}
