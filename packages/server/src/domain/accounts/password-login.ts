/**
 * Logging a user in with a password, the one step behind the password grant (RFC 6749 §4.3) and
 * the authorize login form: the throttle's gate, the password check, the throttle's record and the
 * audit event (`login.ok`, `login.failed`, or `login.throttled` through throttle-audit.ts).
 */
import type { User } from '../../store/types.js';
import type { DomainContext } from '../context.js';
import { auditThrottledLogin } from './throttle-audit.js';

export interface PasswordLoginInput {
  username: string;
  password: string;
  /** The client the login is for (audited). */
  clientId: string;
  /** The caller's address: one throttle counter per address, and the audit trail. */
  ip: string;
  /** Which route the login came through, when not the token endpoint (audited as `via`). */
  via?: string;
}

export type PasswordLoginOutcome =
  | { ok: true; user: User }
  /** Refused before the password is checked: a back-off applies to the username or the address. */
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }
  /** Unknown user, disabled user and wrong password alike (and they take the same time). */
  | { ok: false; reason: 'refused' };

/**
 * One password login attempt. Never throws for a refused login; the caller words the answer.
 *
 * @example
 * const outcome = await passwordLogin(services, { username, password, clientId, ip: request.ip });
 * if (!outcome.ok && outcome.reason === 'throttled') ... // 429, Retry-After: outcome.retryAfterSeconds
 */
export async function passwordLogin(
  ctx: Pick<DomainContext, 'throttle' | 'users' | 'audit'>,
  input: PasswordLoginInput,
): Promise<PasswordLoginOutcome> {
  const { clientId, ip, via } = input;
  const keys = { username: input.username, ip };
  const gate = await ctx.throttle.check(keys);
  if (!gate.allowed) {
    const retryAfterSeconds = Math.max(1, gate.retryAfterSeconds);
    await auditThrottledLogin(ctx, { keys, clientId, retryAfterSeconds, ...(via ? { via } : {}) });
    return { ok: false, reason: 'throttled', retryAfterSeconds };
  }
  const result = await ctx.users.authenticate(input.username, input.password);
  if (!result.ok) {
    await ctx.throttle.recordFailure(keys);
    await ctx.audit({
      type: 'login.failed',
      subject: result.userId,
      clientId,
      ip,
      details: { reason: result.reason, ...(via ? { via } : {}) },
    });
    return { ok: false, reason: 'refused' };
  }
  // Clears the username's counter and the address's record of failing on it; the address's own
  // count stays, so one good account cannot reset it.
  await ctx.throttle.recordSuccess(keys);
  await ctx.audit({
    type: 'login.ok',
    actor: result.user.id,
    subject: result.user.id,
    clientId,
    ip,
    details: { rehashed: result.rehashed, ...(via ? { via } : {}) },
  });
  return { ok: true, user: result.user };
}
