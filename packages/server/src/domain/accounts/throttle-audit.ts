/**
 * The audit trail of logins refused by the throttle (429). An attack sends refused attempts as fast
 * as it likes, so each is not a row: refusals are counted per address and username (a quiet period
 * of `throttleWindow` restarts the count), and a `login.throttled` row is written when the count
 * reaches 1, 2, 4, 8 … — N refusals of one pair leave ⌊log2 N⌋ + 1 rows, each with the count so far.
 */
import type { DomainContext } from '../context.js';
import type { ThrottleKeys } from './throttle.js';

export interface ThrottledAttempt {
  keys: ThrottleKeys;
  clientId: string;
  retryAfterSeconds: number;
  /** Which route refused it, when not the token endpoint. */
  via?: string;
}

/**
 * Counts one refused login and audits it when the count is a power of two.
 *
 * @example await auditThrottledLogin(services, { keys: { username, ip }, clientId, retryAfterSeconds: 8 });
 */
export async function auditThrottledLogin(
  services: Pick<DomainContext, 'throttle' | 'users' | 'audit'>,
  attempt: ThrottledAttempt,
): Promise<void> {
  const { keys } = attempt;
  let refused: number;
  try {
    refused = await services.throttle.recordRefusal(keys);
  } catch {
    return; // best effort: a refusal stays a refusal when the store cannot count it
  }
  if ((refused & (refused - 1)) !== 0) return;
  // The username itself is never written (it may be a password typed in the wrong field): the
  // account's id when there is one, as the failed logins do.
  const user =
    keys.username === undefined ? undefined : await services.users.find({ username: keys.username });
  await services.audit({
    type: 'login.throttled',
    subject: user?.id ?? null,
    clientId: attempt.clientId,
    ip: keys.ip ?? null,
    details: {
      refused,
      retryAfter: attempt.retryAfterSeconds,
      ...(attempt.via === undefined ? {} : { via: attempt.via }),
    },
  });
}
