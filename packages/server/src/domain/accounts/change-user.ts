/**
 * Changing a user: the one business step behind `PATCH /admin/users/{id}` and `sesame users
 * disable|enable|scopes|passwd|set`. Whichever caller asks, the same things happen in the same order:
 * scopes taken away are withdrawn from refresh families and earlier access tokens, a new password
 * or a disabled account ends every session and refuses every access token issued so far, and one
 * `admin.user.changed` audit event says what changed and who changed it (for the profile, the
 * names of the claims that changed, never their values: they are personal data).
 */
import type { DomainContext } from '../context.js';
import { type EndSessionsReason, endUserSessions, withdrawUserScopes } from '../tokens/withdraw.js';
import { type ProfileClaim, type ProfileInput, validateProfileChange } from './profile.js';

/** What may change; a field left out stays as it is. */
export interface UserChange {
  scopes?: string[];
  password?: string;
  disabled?: boolean;
  /** Profile claims: a claim given replaces the stored one, `null` removes it; checked here. */
  profile?: ProfileInput;
}

export interface UserChangeOutcome {
  /** Scopes the user had and no longer has. */
  removedScopes: string[];
  /** Refresh families (sessions) ended by a new password or by disabling. */
  endedSessions: string[];
  /** Profile claims whose value changed. */
  changedClaims: ProfileClaim[];
}

/**
 * Applies a change to an existing user (the caller has found it) and audits it.
 *
 * @example
 * await changeUser(services, user, { disabled: true }, 'cli');
 */
export async function changeUser(
  services: DomainContext,
  user: { id: string; scopes: readonly string[] },
  change: UserChange,
  actor: string | null,
): Promise<UserChangeOutcome> {
  const { users } = services;
  // Checked before anything is written, so a bad claim does not leave half a change behind.
  const profile = change.profile === undefined ? undefined : validateProfileChange(change.profile);
  let removedScopes: string[] = [];
  if (change.scopes !== undefined) {
    const next = change.scopes;
    await users.setScopes(user.id, next);
    removedScopes = user.scopes.filter((scope) => !next.includes(scope));
    await withdrawUserScopes(services, user.id, removedScopes);
  }
  // A new password or a disabled account ends every session, and every access token issued so far
  // is refused: whoever held the old password (or a token got with it) is out now.
  let ended: EndSessionsReason | undefined;
  if (change.password !== undefined) {
    await users.setPassword(user.id, change.password);
    ended = 'password changed';
  }
  if (change.disabled !== undefined) {
    await users.setDisabled(user.id, change.disabled);
    if (change.disabled) ended = 'user disabled';
  }
  const changedClaims = profile === undefined ? [] : await users.changeProfile(user.id, profile);
  const endedSessions = ended === undefined ? [] : await endUserSessions(services, user.id, ended);
  await services.audit({
    type: 'admin.user.changed',
    actor,
    subject: user.id,
    details: {
      changed: Object.keys(change).filter((key) => change[key as keyof UserChange] !== undefined),
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      ...(removedScopes.length > 0 ? { removedScopes } : {}),
      ...(ended !== undefined ? { sessions: endedSessions.length } : {}),
      ...(profile !== undefined ? { claims: changedClaims } : {}),
    },
  });
  return { removedScopes, endedSessions, changedClaims };
}
