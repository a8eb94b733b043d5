/**
 * Remembered consents (the authorization endpoint asks once per user and client): listing and
 * revoking. Revoking a consent also ends the user's sessions with that client — taking back the
 * permission should take back what it gave — and the next authorization request asks again.
 */

import type { Consent } from '../../store/types.js';
import type { Services } from '../services.js';

export interface ConsentRevocation {
  /** False when there was no consent to revoke. */
  removed: boolean;
  /** The refresh families (sessions) of the user with that client that were revoked. */
  sessions: string[];
}

/**
 * The consents a user has given.
 *
 * @example const consents = await listConsents(services, user.id);
 */
export function listConsents(services: Pick<Services, 'store'>, userId: string): Promise<Consent[]> {
  return services.store.listConsents(userId);
}

/**
 * Revokes a user's consent to a client and the sessions it allowed.
 *
 * @example const { removed, sessions } = await revokeConsent(services, user.id, 'quiz-web', 'cli');
 */
export async function revokeConsent(
  services: Pick<Services, 'store' | 'sessions' | 'now' | 'audit'>,
  userId: string,
  clientId: string,
  actor: string | null,
): Promise<ConsentRevocation> {
  const removed = await services.store.deleteConsent(userId, clientId);
  const families = await services.store.listUserFamilies(userId, services.now());
  const sessions: string[] = [];
  for (const family of families.filter((f) => f.clientId === clientId)) {
    if (await services.sessions.revokeFamily(family.id, 'consent revoked')) sessions.push(family.id);
  }
  if (removed || sessions.length > 0) {
    await services.audit({
      type: 'consent.revoked',
      actor,
      subject: userId,
      clientId,
      details: { sessions: sessions.length },
    });
  }
  return { removed, sessions };
}
