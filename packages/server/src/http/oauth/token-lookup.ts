import type { Services } from '../../domain/services.js';
import type { AccessTokenClaims } from '../../domain/tokens/access-token.js';
import type { RefreshFamily, RefreshToken } from '../../store/types.js';

/** What a presented token turned out to be, for revocation and introspection. */
export type FoundToken =
  | { kind: 'access'; claims: AccessTokenClaims }
  | { kind: 'refresh'; record: RefreshToken; family: RefreshFamily }
  | { kind: 'unknown' };

/**
 * Finds what a token is. RFC 7009 §2.1 / RFC 7662 §2.1: the token_type_hint only decides which
 * lookup goes first; when it is wrong the other is tried too.
 */
export async function findToken(
  services: Services,
  token: string,
  hint: string | undefined,
): Promise<FoundToken> {
  const asAccess = (): FoundToken | undefined => {
    // A JWT has two dots; a refresh token is base64url without any.
    if (token.split('.').length !== 3) return undefined;
    try {
      return { kind: 'access', claims: services.accessTokens.verify(token) };
    } catch {
      return undefined;
    }
  };
  const asRefresh = async (): Promise<FoundToken | undefined> => {
    const found = await services.sessions.inspect(token);
    return found && { kind: 'refresh', record: found.token, family: found.family };
  };
  const first = hint === 'refresh_token' ? await asRefresh() : asAccess();
  if (first) return first;
  const second = hint === 'refresh_token' ? asAccess() : await asRefresh();
  return second ?? { kind: 'unknown' };
}

/** A refresh token is active while it is the family's live token and the family is live. */
export function isRefreshActive(record: RefreshToken, family: RefreshFamily, now: number): boolean {
  return (
    record.rotatedAt === null && record.expiresAt > now && family.revokedAt === null && family.expiresAt > now
  );
}
