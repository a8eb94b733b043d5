/**
 * A user's profile claims (OpenID Connect Core 1.0 §5.1): which claims exist, what each may hold,
 * and how a change is applied. Every way in (admin API, `sesame users add|set`) goes through
 * `validateProfileChange`, so the store only ever holds checked values. An error names the claim,
 * never its value: a profile is personal data and errors reach logs.
 */
import type { PostalAddress, UserProfile } from '../../store/types.js';
import { AccountError } from './errors.js';

export type { PostalAddress, UserProfile } from '../../store/types.js';

type Kind = 'text' | 'url' | 'email' | 'phone' | 'boolean' | 'birthdate' | 'zoneinfo' | 'locale' | 'address';

/** The claims a caller may set, with their kind; `updated_at` is Sesame's, never set by hand. */
const CLAIM_KINDS = {
  name: 'text',
  given_name: 'text',
  family_name: 'text',
  middle_name: 'text',
  nickname: 'text',
  preferred_username: 'text',
  profile: 'url',
  picture: 'url',
  website: 'url',
  gender: 'text',
  birthdate: 'birthdate',
  zoneinfo: 'zoneinfo',
  locale: 'locale',
  email: 'email',
  email_verified: 'boolean',
  phone_number: 'phone',
  phone_number_verified: 'boolean',
  address: 'address',
} as const satisfies Record<Exclude<keyof UserProfile, 'updated_at'>, Kind>;

export type ProfileClaim = keyof typeof CLAIM_KINDS;

/** The settable claims, in Core §5.1's order. */
export const PROFILE_CLAIMS = Object.freeze(Object.keys(CLAIM_KINDS) as ProfileClaim[]);

const ADDRESS_PARTS = [
  'formatted',
  'street_address',
  'locality',
  'region',
  'postal_code',
  'country',
] as const;

/** A change as it arrives (a JSON body, CLI flags), not yet checked: see validateProfileChange. */
export type ProfileInput = Readonly<Record<string, unknown>>;

/** A change: a claim given replaces the stored one, `null` removes it, a claim left out stays. */
export type ProfileChange = { [K in ProfileClaim]?: UserProfile[K] | null };

const MAX_TEXT = 255;
const MAX_URL = 2048;
const MAX_EMAIL = 254;
const MAX_MULTILINE = 1024;
// C0/C1 controls and the Unicode line and paragraph separators: invisible, and they break logs.
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
// The same, but a newline is allowed (Core §5.1.1: formatted and street_address may have lines).
const CONTROL_BUT_NEWLINE = /[\0-\t\v-\x1f\x7f-\x9f\p{Zl}\p{Zp}]/u;
// A practical shape, not RFC 5322: one @, no spaces, a dotted domain of letters, digits and hyphens.
const EMAIL =
  /^[^\s@"(),:;<>[\\\]]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}\p{N}-]{2,63}$/u;
// E.164 as Core §5.1 recommends, with the RFC 3966 extension it allows.
const PHONE = /^\+[1-9]\d{1,14}(?:;ext=\d{1,10})?$/;
const BIRTHDATE = /^(\d{4})(?:-(\d{2})-(\d{2}))?$/;

const invalid = (field: string, rule: string) =>
  new AccountError('ERR_PROFILE_INVALID', `the profile claim ${field} ${rule}`);

function checkText(field: string, value: unknown, max: number, control = CONTROL): string {
  if (typeof value !== 'string') throw invalid(field, 'must be text');
  const length = [...value].length;
  if (length < 1 || length > max) throw invalid(field, `must be 1 to ${max} characters`);
  if (control.test(value)) throw invalid(field, 'has control characters');
  return value;
}

function checkUrl(field: string, value: unknown): string {
  const text = checkText(field, value, MAX_URL);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(field, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(field, 'must be an http(s) URL');
  if (url.username !== '' || url.password !== '') throw invalid(field, 'must not carry credentials');
  return text;
}

function checkBirthdate(field: string, value: unknown): string {
  const text = checkText(field, value, 10);
  const match = BIRTHDATE.exec(text);
  if (!match) throw invalid(field, 'must be YYYY-MM-DD, 0000-MM-DD or YYYY');
  const [, year, month, day] = match;
  if (month !== undefined && day !== undefined) {
    // 0000 means "year withheld" (Core §5.1); 2000 is a leap year, so 02-29 stays possible.
    const date = new Date(Date.UTC(year === '0000' ? 2000 : Number(year), Number(month) - 1, Number(day)));
    if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day))
      throw invalid(field, 'is not a calendar date');
  } else if (year === '0000') throw invalid(field, 'must name a year');
  return text;
}

function checkZoneinfo(field: string, value: unknown): string {
  const text = checkText(field, value, 64);
  try {
    new Intl.DateTimeFormat('en', { timeZone: text });
  } catch {
    throw invalid(field, 'must be a time zone of the IANA database (Europe/Paris)');
  }
  return text;
}

function checkLocale(field: string, value: unknown): string {
  const text = checkText(field, value, 35);
  try {
    // Core §5.1 allows the underscore form (en_US) that some systems use beside BCP 47's hyphen.
    Intl.getCanonicalLocales(text.replace(/_/g, '-'));
  } catch {
    throw invalid(field, 'must be a BCP 47 language tag (en-US)');
  }
  return text;
}

function checkAddress(field: string, value: unknown): PostalAddress {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(field, 'must be an object');
  const address: PostalAddress = {};
  for (const [part, partValue] of Object.entries(value)) {
    if (!(ADDRESS_PARTS as readonly string[]).includes(part))
      throw invalid(`${field}.${part}`, 'is not known');
    const multiline = part === 'formatted' || part === 'street_address';
    address[part as keyof PostalAddress] = multiline
      ? checkText(`${field}.${part}`, partValue, MAX_MULTILINE, CONTROL_BUT_NEWLINE)
      : checkText(`${field}.${part}`, partValue, MAX_TEXT);
  }
  if (Object.keys(address).length === 0) throw invalid(field, 'must have at least one part');
  return address;
}

function checkClaim(claim: ProfileClaim, value: unknown): unknown {
  switch (CLAIM_KINDS[claim] as Kind) {
    case 'text':
      return checkText(claim, value, MAX_TEXT);
    case 'url':
      return checkUrl(claim, value);
    case 'email': {
      const text = checkText(claim, value, MAX_EMAIL);
      if (!EMAIL.test(text)) throw invalid(claim, 'must be an email address');
      return text;
    }
    case 'phone': {
      const text = checkText(claim, value, 32);
      if (!PHONE.test(text)) throw invalid(claim, 'must be an E.164 number (+33612345678)');
      return text;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(claim, 'must be true or false');
      return value;
    case 'birthdate':
      return checkBirthdate(claim, value);
    case 'zoneinfo':
      return checkZoneinfo(claim, value);
    case 'locale':
      return checkLocale(claim, value);
    case 'address':
      return checkAddress(claim, value);
  }
}

/**
 * Checks a change from outside (a JSON body, CLI flags): an object of known claims, each of its
 * type or `null`. Throws AccountError ERR_PROFILE_INVALID naming the first bad claim.
 *
 * @example validateProfileChange({ email: 'alice@example.com', nickname: null });
 */
export function validateProfileChange(input: unknown): ProfileChange {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new AccountError('ERR_PROFILE_INVALID', 'the profile must be an object of claims');
  const change: Record<string, unknown> = {};
  for (const [claim, value] of Object.entries(input)) {
    if (claim === 'updated_at') throw invalid(claim, 'is set by Sesame');
    if (!Object.hasOwn(CLAIM_KINDS, claim)) throw invalid(claim, 'is not known');
    change[claim] = value === null ? null : checkClaim(claim as ProfileClaim, value);
  }
  return change as ProfileChange;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies a validated change: answers the new profile and the claims whose value changed (in
 * PROFILE_CLAIMS order). `updated_at` moves to `nowSeconds` only when something changed.
 *
 * @example applyProfileChange({ name: 'Al' }, { name: null, email: 'a@example.com' }, 1700000000)
 * // { profile: { email: 'a@example.com', updated_at: 1700000000 }, changed: ['name', 'email'] }
 */
export function applyProfileChange(
  current: UserProfile,
  change: ProfileChange,
  nowSeconds: number,
): { profile: UserProfile; changed: ProfileClaim[] } {
  const next: Record<string, unknown> = { ...current };
  const changed: ProfileClaim[] = [];
  for (const claim of PROFILE_CLAIMS) {
    if (!Object.hasOwn(change, claim) || change[claim] === undefined) continue;
    const value = change[claim];
    if (value === null) {
      if (!Object.hasOwn(next, claim)) continue;
      delete next[claim];
    } else {
      if (same(next[claim], value)) continue;
      next[claim] = value;
    }
    changed.push(claim);
  }
  if (changed.length > 0) next.updated_at = nowSeconds;
  return { profile: next as UserProfile, changed };
}
