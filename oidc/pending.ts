/**
 * The modules left out of the default run, each with why: the feature it tests is not in Sesame
 * yet, and the module fails against it today (run them anyway with `npm run test:oidc -- --pending`).
 * A module comes off this list in the commit that makes it pass; the default run prints every
 * entry as PENDING, so nothing here is a silent skip. Keys are OIDF module names, or
 * `name (plan)` where a name is in several plans.
 */
export const PENDING: Readonly<Record<string, string>> = {
  'oidcc-discovery-endpoint-verification':
    'id_token_signing_alg_values_supported lacks RS256, which Discovery §3 requires: RS256 ID tokens are not built yet',
  'oidcc-idtoken-rs256': 'RS256 ID tokens and a per-client id_token_signed_response_alg are not built yet',
};
