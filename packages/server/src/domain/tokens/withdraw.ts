/**
 * Withdrawing what was issued: the one place that knows which records and which revocation entries
 * take back a user's or a client's tokens. Admin routes and CLI commands call these steps instead
 * of revoking families and adding denylist entries themselves, so every path (disable a user,
 * change a password, take a scope away, remove a client) withdraws the same things, and guards
 * learn each withdrawal through the revocation feed.
 */
import type { DomainContext } from '../context.js';
import { browserSessionEnded } from './end-browser-session.js';

/** What the withdrawal steps use. */
export type WithdrawServices = Pick<
  DomainContext,
  'sessions' | 'revocations' | 'store' | 'now' | 'backchannel' | 'audit'
>;

/** Why a user's sessions end; recorded on the families (`revoked_reason`). */
export type EndSessionsReason =
  | 'user disabled'
  | 'password changed'
  | 'scopes removed'
  | 'revoked by admin'
  | (string & {});

/**
 * Ends every session of a user: their refresh families are revoked (with their `sid` entries), their
 * browser sessions on the login pages end (and the clients of each are told: back-channel logout), and
 * every access token issued to them up to now is denylisted by a `user` entry ("issued before now"),
 * which also covers tokens without a session (the password grant without refresh) and which guards
 * receive through the revocation feed. Answers the ids of the families revoked.
 *
 * @example
 * await users.setPassword(id, password);
 * await endUserSessions(services, id, 'password changed');
 */
export async function endUserSessions(
  services: WithdrawServices,
  userId: string,
  reason: EndSessionsReason,
): Promise<string[]> {
  const families = await services.sessions.revokeUser(userId, reason);
  await services.revocations.revokeUser(userId);
  // The login pages' sessions too: a browser signed in before the change must sign in again.
  for (const session of await services.store.endUserBrowserSessions(userId, services.now())) {
    await browserSessionEnded(services, session, reason);
  }
  return families;
}

/**
 * After scopes were taken away from a user: every access token issued to them up to now is
 * denylisted (a `user` entry, so guards refuse a token still carrying a removed scope within the
 * feed's delay), while their refresh families stay. Narrowing rather than ending the sessions is
 * enough because a refresh grants at most the family's scopes that the user and the client still
 * have (grants/refresh-token.ts): the next refresh answers a token without the removed scopes, and
 * the user is not logged out everywhere for an unrelated scope. Answers whether anything was
 * withdrawn (nothing is when no scope was removed).
 *
 * @example
 * await users.setScopes(id, next);
 * await withdrawUserScopes(services, id, previous.filter((scope) => !next.includes(scope)));
 */
export async function withdrawUserScopes(
  services: WithdrawServices,
  userId: string,
  removed: readonly string[],
): Promise<boolean> {
  if (removed.length === 0) return false;
  await services.revocations.revokeUser(userId);
  return true;
}

/**
 * After a client was removed (or must lose what it holds): its refresh families are revoked and
 * every access token issued to it up to now is denylisted by one `client` entry (matched on the
 * token's `client_id`; guards get it through the feed). Classic-profile tokens carry no
 * `client_id`: they are reached through their families and end at their `exp`. Answers the ids of
 * the families revoked.
 *
 * @example
 * if (await store.deleteClient(id)) await withdrawClient(services, id);
 */
export async function withdrawClient(services: WithdrawServices, clientId: string): Promise<string[]> {
  // The entry first: from this moment no token of the client passes, even while families are revoked.
  await services.revocations.revokeClient(clientId);
  return services.sessions.revokeClient(clientId, 'client removed');
}

/**
 * Withdraws a compromised signing key at once: a `kid` entry refuses every token it signed (here at
 * once, at every process sharing the store at its next check, at guards through the feed), then the
 * key leaves the JWKS and stops verifying, and a revoked current or next key is replaced. Answers
 * the key's state before. Throws KeyringError ERR_KEYRING_KEY_NOT_FOUND for an unknown kid.
 *
 * @example await withdrawSigningKey(services, 'Gx3…'); // `sesame keys revoke Gx3…`
 */
export async function withdrawSigningKey(
  services: WithdrawServices & Pick<DomainContext, 'keys'>,
  kid: string,
): Promise<string> {
  // The key must exist before an entry is written in its name (a typo must not pollute the feed).
  if (!services.keys.list().some((key) => key.kid === kid)) await services.keys.reload();
  if (services.keys.list().some((key) => key.kid === kid)) await services.revocations.revokeKid(kid);
  return services.keys.revoke(kid); // ERR_KEYRING_KEY_NOT_FOUND for an unknown kid
}
