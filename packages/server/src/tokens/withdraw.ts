/**
 * Withdrawing what was issued: the one place that knows which records and which revocation entries
 * take back a user's or a client's tokens. Admin routes and CLI commands call these steps instead
 * of revoking families and adding denylist entries themselves, so every path (disable a user,
 * change a password, take a scope away, remove a client) withdraws the same things, and guards
 * learn each withdrawal through the revocation feed.
 */
import type { Services } from '../services.js';

/** What the withdrawal steps use. */
export type WithdrawServices = Pick<Services, 'sessions' | 'revocations'>;

/** Why a user's sessions end; recorded on the families (`revoked_reason`). */
export type EndSessionsReason =
  | 'user disabled'
  | 'password changed'
  | 'scopes removed'
  | 'revoked by admin'
  | (string & {});

/**
 * Ends every session of a user: their refresh families are revoked (with their `sid` entries), and
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
  return families;
}
