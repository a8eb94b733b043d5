/**
 * Remembered consents (the authorization endpoint asks once per user and client): remembering,
 * listing and revoking. Revoking a consent also ends the user's sessions with that client — taking
 * back the permission should take back what it gave — and the next authorization request asks again.
 */
import type { Consent } from '../../store/types.js';
import type { DomainContext } from '../context.js';

export interface ConsentRevocation {
  /** False when there was no consent to revoke. */
  removed: boolean;
  /** The refresh families (sessions) of the user with that client that were revoked. */
  sessions: string[];
}

export interface ConsentSteps {
  /** The consents a user has given. */
  list(userId: string): Promise<Consent[]>;
  find(userId: string, clientId: string): Promise<Consent | undefined>;
  /**
   * Remembers that the user allowed the client these scopes (added to what they allowed before)
   * and audits `consent.granted`.
   */
  grant(input: { userId: string; clientId: string; scopes: readonly string[]; ip: string }): Promise<void>;
  /** Audits the user's refusal (`consent.denied`); nothing is remembered. */
  deny(input: { userId: string; clientId: string; ip: string }): Promise<void>;
  /** Revokes a user's consent to a client and the sessions it allowed; audited when anything went. */
  revoke(userId: string, clientId: string, actor: string | null): Promise<ConsentRevocation>;
}

/**
 * @example const { removed, sessions } = await createConsentSteps(ctx).revoke(user.id, 'quiz-web', 'cli');
 */
export function createConsentSteps(
  ctx: Pick<DomainContext, 'store' | 'sessions' | 'now' | 'audit'>,
): ConsentSteps {
  const { store } = ctx;
  return Object.freeze({
    list: (userId) => store.listConsents(userId),
    find: (userId, clientId) => store.findConsent(userId, clientId),
    async grant({ userId, clientId, scopes, ip }) {
      const previous = await store.findConsent(userId, clientId);
      const at = ctx.now();
      await store.saveConsent({
        userId,
        clientId,
        scopes: [...new Set([...(previous?.scopes ?? []), ...scopes])],
        createdAt: previous?.createdAt ?? at,
        updatedAt: at,
      });
      await ctx.audit({
        type: 'consent.granted',
        actor: userId,
        subject: userId,
        clientId,
        ip,
        details: { scope: scopes.join(' ') },
      });
    },
    async deny({ userId, clientId, ip }) {
      await ctx.audit({ type: 'consent.denied', actor: userId, subject: userId, clientId, ip, details: {} });
    },
    async revoke(userId, clientId, actor) {
      const removed = await store.deleteConsent(userId, clientId);
      const families = await store.listUserFamilies(userId, ctx.now());
      const sessions: string[] = [];
      for (const family of families.filter((f) => f.clientId === clientId)) {
        if (await ctx.sessions.revokeFamily(family.id, 'consent revoked')) sessions.push(family.id);
      }
      if (removed || sessions.length > 0) {
        await ctx.audit({
          type: 'consent.revoked',
          actor,
          subject: userId,
          clientId,
          details: { sessions: sessions.length },
        });
      }
      return { removed, sessions };
    },
  } satisfies ConsentSteps);
}
