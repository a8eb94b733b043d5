/**
 * What ends with a browser session (OpenID Connect RP-Initiated Logout 1.0 §2, Back-Channel Logout
 * 1.0 §2.7): the record itself is ended by its caller (logout, a password change, disabling the
 * user); then every refresh family born from the session is revoked — and with it, through a `sid`
 * entry of the revocation feed, every access token of those families — whichever client it was
 * issued to. One step for every way a session ends, so none of them forgets a part.
 */
import type { BrowserSession } from '../../store/types.js';
import type { DomainContext } from '../context.js';
import type { LogoutContext } from './browser-sessions.js';

/** What went with a session. */
export interface BrowserSessionEnd {
  /** The refresh families revoked. */
  families: string[];
}

type Ctx = Pick<DomainContext, 'sessions' | 'store' | 'now' | 'audit'>;

/**
 * After a session's record ended: revokes what was born from it. A session without a public id
 * (made before it had one) has nothing linked to it.
 *
 * @example for (const session of await store.endUserBrowserSessions(userId, now)) await browserSessionEnded(ctx, session, 'user disabled');
 */
export async function browserSessionEnded(
  ctx: Ctx,
  session: BrowserSession,
  reason: string,
): Promise<BrowserSessionEnd> {
  if (session.sid === null) return { families: [] };
  const families = await ctx.sessions.revokeBrowserSession(session.sid, reason);
  return { families };
}

/**
 * A user signed out (the consent page's "not you?", the end-session endpoint): what the session
 * gave ends, audited as `logout` (the user, the client that asked, how many refresh families went).
 *
 * @example createBrowserSessions({ store, now, ended: (session, context) => loggedOut(ctx, session, context) });
 */
export async function loggedOut(ctx: Ctx, session: BrowserSession, context: LogoutContext): Promise<void> {
  const end = await browserSessionEnded(ctx, session, 'logout');
  await ctx.audit({
    type: 'logout',
    actor: session.userId,
    subject: session.userId,
    clientId: context.clientId ?? null,
    ip: context.ip ?? null,
    details: { via: context.via, sid: session.sid, families: end.families.length },
  });
}
