/**
 * The OpenID Connect parameters that decide whether the authorization endpoint may show a page and
 * whether a live browser session is enough (Core 1.0 §3.1.2.1, §3.1.2.6): `prompt`, `max_age` and
 * `login_hint`.
 */
import type { SignedIn } from '../../domain/accounts/browser-sessions.js';
import { OAuthError } from '../../domain/errors.js';

/**
 * The prompt values Sesame acts on. `select_account` is a password prompt: a browser holds one
 * Sesame session at a time, so choosing an account is signing in again, as whoever the user is.
 */
export const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account'] as const;
export type PromptValue = (typeof PROMPT_VALUES)[number];

/**
 * The longest `login_hint` used: the username field's own limit (web/login/pages.ts). A longer
 * hint cannot be a username, so it prefills nothing (a hint is advice, never a reason to refuse).
 */
export const LOGIN_HINT_MAX_LENGTH = 256;

/** What the three parameters ask of this request, checked. */
export interface PromptRequest {
  prompt: ReadonlySet<PromptValue>;
  /** Seconds; undefined when not sent. */
  maxAge: number | undefined;
  /** The username to prefill, or undefined (absent or too long). */
  loginHint: string | undefined;
}

/**
 * Reads `prompt`, `max_age` and `login_hint`; throws invalid_request for an unknown prompt value,
 * `none` with any other (Core §3.1.2.1), or a `max_age` that is not a non-negative integer.
 *
 * @example readPromptParameters({ prompt: 'login consent', max_age: '300' }) // { prompt: {login, consent}, maxAge: 300, ... }
 */
export function readPromptParameters(params: Readonly<Record<string, string>>): PromptRequest {
  const values = (params.prompt ?? '').split(' ').filter((value) => value !== '');
  const unknown = values.filter((value) => !(PROMPT_VALUES as readonly string[]).includes(value));
  if (unknown.length > 0) {
    throw new OAuthError('invalid_request', `unknown prompt value: ${unknown.join(' ').slice(0, 100)}`);
  }
  const prompt = new Set(values as PromptValue[]);
  if (prompt.has('none') && prompt.size > 1) {
    throw new OAuthError('invalid_request', 'prompt=none cannot be combined with another prompt value');
  }
  let maxAge: number | undefined;
  if (params.max_age !== undefined) {
    // Ten digits is over 300 years: enough, and far from the float limits of Number.
    if (!/^\d{1,10}$/.test(params.max_age)) {
      throw new OAuthError('invalid_request', 'max_age must be a non-negative integer (seconds)');
    }
    maxAge = Number(params.max_age);
  }
  const hint = params.login_hint;
  const loginHint = hint !== undefined && hint.length <= LOGIN_HINT_MAX_LENGTH ? hint : undefined;
  return { prompt, maxAge, loginHint };
}

/**
 * True when the live session is not enough and the password must be asked: prompt=login or
 * select_account, or a login older than max_age (max_age=0: any login is too old).
 *
 * @example if (needsPassword(authz, signedIn, now())) return showLogin(...)
 */
export function needsPassword(request: PromptRequest, signedIn: SignedIn, now: number): boolean {
  if (request.prompt.has('login') || request.prompt.has('select_account')) return true;
  if (request.maxAge === undefined) return false;
  // Core §3.1.2.1: max_age=0 is prompt=login, even for a login made in this very millisecond.
  return request.maxAge === 0 || now - signedIn.authTime > request.maxAge * 1000;
}

/**
 * The request's parameters once the password has been typed on this flow's login page: without
 * `login`, `select_account` and `max_age`, so the GET after the login form continues instead of
 * asking again (a loop otherwise; max_age=0 is never met by any earlier login).
 *
 * Why this cannot be used to skip the password: what it answers is an ordinary authorization
 * request without those values, which anyone can already write; it is reached only by the 303 of a
 * login form whose password was right. No marker is added that a crafted URL could carry, and the
 * ID token's `auth_time` is always the session's real login time, which a relying party that asked
 * for max_age checks (Core §3.1.2.1).
 *
 * @example redirectTo(reply, authorizeUrl({ ...authz, params: afterPassword(authz.params) }), 303, ...)
 */
export function afterPassword(params: Readonly<Record<string, string>>): Record<string, string> {
  const { max_age: _maxAge, prompt, ...rest } = params;
  const kept = (prompt ?? '')
    .split(' ')
    .filter((value) => value !== '' && value !== 'login' && value !== 'select_account');
  return kept.length > 0 ? { ...rest, prompt: kept.join(' ') } : rest;
}
