/**
 * What ends with a browser session (OpenID Connect RP-Initiated Logout 1.0 §2, Back-Channel Logout
 * 1.0 §2.7): the record itself is ended by its caller (logout, a password change, disabling the
 * user); then every refresh family born from the session is revoked — and with it, through a `sid`
 * entry of the revocation feed, every access token of those families — whichever client it was
 * issued to, and every client that got tokens through the session is told, by back-channel logout
 * when it registered a URI for it (tokens/backchannel-logout.ts, outside the request). One step
 * for every way a session ends, so none of them forgets a part.
 */
import type { BrowserSession } from '../../store/types.js';
import type { DomainContext } from '../context.js';

/** Who ends a session, for the audit trail: the address, and the client that asked (if one did). */
export interface LogoutContext {
  ip?: string;
  clientId?: string;
  /**
   * The page or endpoint: `authorize` (the consent page's "not you?"), `end_session`, `login`
   * (another user signed in on the same browser).
   */
  via: string;
}

/** What went with a session. */
export interface BrowserSessionEnd {
  /** The refresh families revoked. */
  families: string[];
  /** The clients that got tokens through the session (each told, if it listens). */
  clients: string[];
}

type Ctx = Pick<DomainContext, 'sessions' | 'store' | 'backchannel' | 'now' | 'audit'>;

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
  const { sid } = session;
  if (sid === null) return { families: [], clients: [] };
  const families = await ctx.sessions.revokeBrowserSession(sid, reason);
  // Taken, not read: of two concurrent ends of one session, each client is told by one only.
  const clients = (await ctx.store.takeSessionClients(sid)).map((entry) => entry.clientId);
  ctx.backchannel.notify(clients.map((clientId) => ({ clientId, userId: session.userId, sid })));
  return { families, clients };
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
    details: { via: context.via, sid: session.sid, families: end.families.length, clients: end.clients },
  });
}
