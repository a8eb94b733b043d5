import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';
import type { GrantModule, GrantParameter } from './types.js';
import { wxappGrant } from './wxapp.js';

export type { GrantContext, GrantModule, GrantParameter, TokenResponse } from './types.js';

/**
 * The grants of the token endpoint. A new grant (authorization_code, WeChat) is one module and one
 * line here; the endpoint, the metadata document and the OpenAPI schema follow from this list.
 */
export const DEFAULT_GRANTS: readonly GrantModule[] = [
  passwordGrant,
  clientCredentialsGrant,
  refreshTokenGrant,
  authorizationCodeGrant,
  wxappGrant,
];

/** Grants by every grant_type value they answer to. */
export interface GrantRegistry {
  readonly grants: readonly GrantModule[];
  find(grantType: string): GrantModule | undefined;
  /** Every grant_type value, aliases included. */
  readonly grantTypes: readonly string[];
  /** The union of the grants' parameters, for the token endpoint's schema. */
  readonly parameters: Readonly<Record<string, GrantParameter>>;
}

/**
 * Builds the registry; two grants claiming the same grant_type is a programming error.
 *
 * @example const registry = createGrantRegistry([...DEFAULT_GRANTS, wechatGrant]);
 */
export function createGrantRegistry(grants: readonly GrantModule[] = DEFAULT_GRANTS): GrantRegistry {
  const byType = new Map<string, GrantModule>();
  const parameters: Record<string, GrantParameter> = {};
  for (const grant of grants) {
    for (const name of [grant.grantType, ...(grant.aliases ?? [])]) {
      if (byType.has(name)) throw new Error(`two grants claim grant_type ${name}`);
      byType.set(name, grant);
    }
    for (const [name, parameter] of Object.entries(grant.parameters)) {
      parameters[name] ??= { description: parameter.description, secret: parameter.secret };
    }
  }
  return Object.freeze({
    grants: Object.freeze([...grants]),
    find: (grantType: string) => byType.get(grantType),
    grantTypes: Object.freeze([...byType.keys()]),
    parameters: Object.freeze(parameters),
  });
}
