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
    'issue' | 'rotate' | 'familyOf' | 'inspect' | 'revokeByToken' | 'revokeFamily'
  > {
  /** The user's live sessions. */
  listForUser(userId: string): Promise<RefreshFamily[]>;
  /**
   * An operator ends one session: 'ended' (audited as a `revocation` of scope `session`),
   * 'already' when it had ended, 'unknown' for no such session.
   */
  end(familyId: string, actor: string | null): Promise<'ended' | 'already' | 'unknown'>;
}

/**
 * @example if ((await createSessionSteps(ctx).end(id, actor)) === 'unknown') throw notFound();
 */
export function createSessionSteps(
  ctx: Pick<DomainContext, 'store' | 'sessions' | 'now' | 'audit'>,
): SessionSteps {
  const { sessions, store } = ctx;
  return Object.freeze({
    issue: (input) => sessions.issue(input),
    rotate: (presented) => sessions.rotate(presented),
    familyOf: (presented) => sessions.familyOf(presented),
    inspect: (presented) => sessions.inspect(presented),
    revokeByToken: (presented, reason) => sessions.revokeByToken(presented, reason),
    revokeFamily: (familyId, reason) => sessions.revokeFamily(familyId, reason),
    listForUser: (userId) => store.listUserFamilies(userId, ctx.now()),
    async end(familyId, actor) {
      if ((await store.findRefreshFamily(familyId)) === undefined) return 'unknown';
      if (!(await sessions.revokeFamily(familyId, 'revoked by admin'))) return 'already';
      await ctx.audit({ type: 'revocation', actor, subject: familyId, details: { scope: 'session' } });
      return 'ended';
    },
  } satisfies SessionSteps);
}
