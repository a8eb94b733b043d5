/**
 * Which user claims a scope releases (OpenID Connect Core 1.0 §5.4), once, for /userinfo and for
 * ID tokens: `profile` the name, picture and the like, `email`, `phone` and `address` their own.
 * A claim the user does not have is left out, never sent empty or null.
 */
import type { RequestedClaims, User } from '../../store/types.js';
import type { UserProfile } from './profile.js';

/** Core §5.4, in its order. */
export const SCOPE_CLAIMS = Object.freeze({
  profile: Object.freeze([
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ] as const),
  email: Object.freeze(['email', 'email_verified'] as const),
  phone: Object.freeze(['phone_number', 'phone_number_verified'] as const),
  address: Object.freeze(['address'] as const),
}) satisfies Record<string, readonly (keyof UserProfile)[]>;

/** Every claim a scope can release, for discovery's `claims_supported`. */
export const SCOPED_CLAIMS: readonly (keyof UserProfile)[] = Object.freeze(
  Object.values(SCOPE_CLAIMS).flat(),
);

/**
 * The claims of `user` that `scopes` release. `preferred_username` falls back to the username,
 * which every user has and which is what they type to log in.
 *
 * @example claimsForScopes(alice, ['openid', 'email']) // { email: 'alice@example.com', email_verified: true }
 */
export function claimsForScopes(
  user: Pick<User, 'username' | 'profile'>,
  scopes: readonly string[],
): Partial<UserProfile> {
  const profile: UserProfile = { preferred_username: user.username, ...user.profile };
  const claims: Record<string, unknown> = {};
  for (const scope of scopes) {
    if (!Object.hasOwn(SCOPE_CLAIMS, scope)) continue;
    for (const claim of SCOPE_CLAIMS[scope as keyof typeof SCOPE_CLAIMS]) {
      if (profile[claim] !== undefined) claims[claim] = profile[claim];
    }
  }
  return claims as Partial<UserProfile>;
}

/**
 * The scope that releases a claim (Core §5.4), or undefined for a name no scope releases.
 *
 * @example scopeOfClaim('email_verified') // 'email'
 */
export function scopeOfClaim(name: string): string | undefined {
  for (const [scope, claims] of Object.entries(SCOPE_CLAIMS)) {
    if ((claims as readonly string[]).includes(name)) return scope;
  }
  return undefined;
}

/**
 * The claims of `user` asked for by name (Core §5.5): each one the user has, nothing for the rest.
 *
 * @example claimsByName(alice, ['email', 'phone_number']) // { email: 'alice@example.com' } (no phone)
 */
export function claimsByName(
  user: Pick<User, 'username' | 'profile'>,
  names: readonly string[],
): Partial<UserProfile> {
  const profile: UserProfile = { preferred_username: user.username, ...user.profile };
  const claims: Record<string, unknown> = {};
  for (const name of names) {
    if (scopeOfClaim(name) !== undefined && profile[name as keyof UserProfile] !== undefined) {
      claims[name] = profile[name as keyof UserProfile];
    }
  }
  return claims as Partial<UserProfile>;
}

/**
 * The claims asked for by name that may be released: those whose scope (Core §5.4) is among
 * `scopes` — what the client may have and the user holds, as for scopes themselves. A claim asked
 * for by name is personal data like its scope's, so it needs the same permissions.
 *
 * @example releasableClaims({ userinfo: ['email', 'phone_number'], idToken: [] }, ['openid', 'email']) // { userinfo: ['email'], idToken: [] }
 */
export function releasableClaims(
  requested: RequestedClaims | null | undefined,
  scopes: readonly string[],
): RequestedClaims {
  const allowed = (name: string) => scopes.includes(scopeOfClaim(name) ?? '');
  return {
    userinfo: (requested?.userinfo ?? []).filter(allowed),
    idToken: (requested?.idToken ?? []).filter(allowed),
  };
}
