/**
 * Refresh-token families (login sessions) as a route, a grant or a command may touch them: the
 * grants' issue, rotate and inspect, revoking one family (which also denylists its access tokens),
 * a user's live sessions for the admin API, and an operator ending one session, audited here.
 * Revoking every family of a user or of a client is not handed out: it goes through the account and
 * client steps, which also refuse the access tokens issued without a session.
 */
import type { RefreshFamily } from '../../store/types.js';
import type { DomainContext } from '../context.js';
import type { RefreshFamilies } from './refresh-families.js';

export interface SessionSteps
  extends Pick<
    RefreshFamilies,
    'issue' | 'rotate' | 'familyOf' | 'sessionOf' | 'inspect' | 'revokeByToken' | 'revokeFamily'
  > {
  /** The user's live sessions. */
  listForUser(userId: string): Promise<RefreshFamily[]>;
  /**
   * An operator ends one session: 'ended' (audited as a `revocation` of scope `session`),
   * 'already' when it had ended, 'unknown' for no such session. The family's client is told by
   * back-channel logout when the family came from a browser session (its `sid`).
   */
  end(familyId: string, actor: string | null): Promise<'ended' | 'already' | 'unknown'>;
}

/**
 * @example if ((await createSessionSteps(ctx).end(id, actor)) === 'unknown') throw notFound();
 */
export function createSessionSteps(
  ctx: Pick<DomainContext, 'store' | 'sessions' | 'backchannel' | 'now' | 'audit'>,
): SessionSteps {
  const { sessions, store } = ctx;
  return Object.freeze({
    issue: (input) => sessions.issue(input),
    rotate: (presented) => sessions.rotate(presented),
    familyOf: (presented) => sessions.familyOf(presented),
    sessionOf: (presented) => sessions.sessionOf(presented),
    inspect: (presented) => sessions.inspect(presented),
    revokeByToken: (presented, reason) => sessions.revokeByToken(presented, reason),
    revokeFamily: (familyId, reason) => sessions.revokeFamily(familyId, reason),
    listForUser: (userId) => store.listUserFamilies(userId, ctx.now()),
    async end(familyId, actor) {
      const family = await store.findRefreshFamily(familyId);
      if (family === undefined) return 'unknown';
      if (!(await sessions.revokeFamily(familyId, 'revoked by admin'))) return 'already';
      await ctx.audit({ type: 'revocation', actor, subject: familyId, details: { scope: 'session' } });
      // The client's session with the user is over: it is told, as at logout (Back-Channel §2.7).
      // The browser session and the other clients' sessions go on.
      if (family.browserSid !== null && family.userId !== null) {
        ctx.backchannel.notify([
          { clientId: family.clientId, userId: family.userId, sid: family.browserSid },
        ]);
      }
      return 'ended';
    },
  } satisfies SessionSteps);
}
