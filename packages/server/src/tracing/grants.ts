/**
 * Grant spans: each grant module's `handle` run inside a span `grant <grant_type>`, by wrapping
 * the modules at the composition root (app.ts) when tracing is on, so no grant, built in or
 * registered from outside, has tracing code of its own. Attributes: the grant type and the
 * authenticated client's id (both bounded by registration); never a parameter's value, which may
 * be a password, a code, a refresh token or an assertion.
 */
import type { GrantContext, GrantModule } from '../grants/types.js';
import { inSpan } from './spans.js';

/**
 * The grant, its `handle` traced.
 *
 * @example const grants = createGrantRegistry(DEFAULT_GRANTS.map(traceGrant));
 */
export function traceGrant(grant: GrantModule): GrantModule {
  return Object.freeze({
    ...grant,
    handle: (context: GrantContext) =>
      inSpan(
        `grant ${grant.grantType}`,
        { 'oauth.grant_type': grant.grantType, 'oauth.client_id': context.client.clientId },
        () => grant.handle(context),
      ),
  });
}
