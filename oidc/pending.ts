/**
 * The modules left out of the default run, each with why: the feature it tests is not in Sesame
 * yet, and the module fails against it today (run them anyway with `npm run test:oidc -- --pending`).
 * A module comes off this list in the commit that makes it pass; the default run prints every
 * entry as PENDING, so nothing here is a silent skip. Keys are OIDF module names, or
 * `name (plan)` where a name is in several plans.
 */
const AUTHZ = 'not built yet (docs/oidc.md, "Not done yet"):';

export const PENDING: Readonly<Record<string, string>> = {
  'oidcc-discovery-endpoint-verification':
    'id_token_signing_alg_values_supported lacks RS256, which Discovery §3 requires: RS256 ID tokens are not built yet',
  'oidcc-idtoken-rs256': 'RS256 ID tokens and a per-client id_token_signed_response_alg are not built yet',
  'oidcc-claims-essential': `${AUTHZ} the claims parameter is ignored (claims_parameter_supported: false)`,
  'oidcc-display-page': `${AUTHZ} display is ignored and display_values_supported is not advertised`,
  'oidcc-display-popup': `${AUTHZ} display is ignored and display_values_supported is not advertised`,
  'oidcc-ui-locales': `${AUTHZ} ui_locales is ignored and ui_locales_supported is not advertised`,
  'oidcc-claims-locales': `${AUTHZ} claims_locales is ignored and claims_locales_supported is not advertised`,
  'oidcc-ensure-request-with-acr-values-succeeds': `${AUTHZ} acr_values is ignored and acr_values_supported is not advertised`,
  'oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported': `${AUTHZ} a request object is ignored, neither used nor refused with request_not_supported`,
  'oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported': `${AUTHZ} request_uri is ignored, neither used nor refused with request_uri_not_supported`,
  'oidcc-ensure-request-object-with-redirect-uri': `${AUTHZ} request objects are ignored, neither used nor refused with request_not_supported`,
};
