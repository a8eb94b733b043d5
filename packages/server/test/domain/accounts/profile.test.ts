/**
 * The profile claims' rules (OpenID Connect Core §5.1): each claim's type and shape, the length
 * caps, unknown claims refused, and errors that name the claim but never echo its value.
 */
import { describe, expect, it } from 'vitest';
import { AccountError } from '../../../src/domain/accounts/errors.js';
import {
  applyProfileChange,
  PROFILE_CLAIMS,
  validateProfileChange,
} from '../../../src/domain/accounts/profile.js';

const SECRETISH = 'Xq7-unique-value';

/** The error of a change, or undefined when it is accepted. */
function refusal(input: unknown): AccountError | undefined {
  try {
    validateProfileChange(input);
    return undefined;
  } catch (error) {
    if (error instanceof AccountError) return error;
    throw error;
  }
}

describe('validateProfileChange', () => {
  it.each([
    ['name', 'Alice Liddell'],
    ['given_name', 'Alice'],
    ['family_name', 'Liddell'],
    ['middle_name', 'Pleasance'],
    ['nickname', 'Al'],
    ['preferred_username', 'alice'],
    ['profile', 'https://example.com/alice'],
    ['picture', 'http://localhost:8080/alice.png'],
    ['website', 'https://alice.example'],
    ['gender', 'female'],
    ['birthdate', '1852-05-04'],
    ['birthdate', '0000-02-29'],
    ['birthdate', '1852'],
    ['zoneinfo', 'Europe/London'],
    ['locale', 'en-GB'],
    ['locale', 'fr_CA'],
    ['email', 'alice@example.com'],
    ['email', 'alice+wonder@mail.example.co.uk'],
    ['email_verified', true],
    ['email_verified', false],
    ['phone_number', '+441234567890'],
    ['phone_number', '+14255551212;ext=5678'],
    ['phone_number_verified', true],
    ['address', { formatted: '7 Oxford St\nOxford', country: 'GB' }],
    ['address', { locality: 'Oxford' }],
    ['name', 'é'.repeat(255)],
  ])('accepts %s = %j', (claim, value) => {
    expect(validateProfileChange({ [claim]: value })).toEqual({ [claim]: value });
  });

  it('accepts null for any claim (a removal)', () => {
    const all = Object.fromEntries(PROFILE_CLAIMS.map((claim) => [claim, null]));
    expect(validateProfileChange(all)).toEqual(all);
  });

  it.each([
    ['name', 42, 'name'],
    ['name', '', 'name'],
    ['name', 'a'.repeat(256), 'name'],
    ['name', `Al\u0000ice${SECRETISH}`, 'name'],
    ['nickname', `Al\nice${SECRETISH}`, 'nickname'],
    ['given_name', ['Alice'], 'given_name'],
    ['picture', `not a url ${SECRETISH}`, 'picture'],
    ['picture', `javascript:alert(1)//${SECRETISH}`, 'picture'],
    ['website', `ftp://example.com/${SECRETISH}`, 'website'],
    ['profile', `https://user:${SECRETISH}@example.com/`, 'profile'],
    ['profile', `https://example.com/${'a'.repeat(2048)}`, 'profile'],
    ['email', `alice${SECRETISH}`, 'email'],
    ['email', `alice@${SECRETISH}`, 'email'],
    ['email', `al ice@example.com${SECRETISH}`, 'email'],
    ['email', `${'a'.repeat(65)}@example.com`, 'email'],
    ['email_verified', 'true', 'email_verified'],
    ['email_verified', 1, 'email_verified'],
    ['phone_number', `555-1212${SECRETISH}`, 'phone_number'],
    ['phone_number', '+1 425 555 1212', 'phone_number'],
    ['phone_number', '+0123456', 'phone_number'],
    ['phone_number_verified', 'yes', 'phone_number_verified'],
    ['birthdate', `1852-13-01`, 'birthdate'],
    ['birthdate', '1851-02-29', 'birthdate'],
    ['birthdate', '0000', 'birthdate'],
    ['birthdate', `04/05/1852${SECRETISH}`, 'birthdate'],
    ['zoneinfo', `Mars/Olympus${SECRETISH}`, 'zoneinfo'],
    ['locale', `not a locale ${SECRETISH}`, 'locale'],
    ['address', `7 Oxford St ${SECRETISH}`, 'address'],
    ['address', {}, 'address'],
    ['address', [], 'address'],
    ['address', { planet: SECRETISH }, 'address.planet'],
    ['address', { country: 44 }, 'address.country'],
    ['address', { locality: `Ox\nford${SECRETISH}` }, 'address.locality'],
    ['address', { formatted: `7 Oxford St\u0007${SECRETISH}` }, 'address.formatted'],
    ['address', { formatted: 'x'.repeat(1025) }, 'address.formatted'],
    ['updated_at', 1_700_000_000, 'updated_at'],
    ['sub', SECRETISH, 'sub'],
    ['favourite_colour', SECRETISH, 'favourite_colour'],
  ])('refuses %s = %j, naming %s and not the value', (claim, value, field) => {
    const error = refusal({ [claim]: value });
    expect(error?.code).toBe('ERR_PROFILE_INVALID');
    expect(error?.message).toContain(`the profile claim ${field} `);
    expect(error?.message).not.toContain(SECRETISH);
  });

  it.each([null, 'alice', ['name'], 7])('refuses a profile that is not an object: %j', (input) => {
    expect(refusal(input)?.code).toBe('ERR_PROFILE_INVALID');
  });

  it("says updated_at is Sesame's to set, not that it is unknown", () => {
    expect(refusal({ updated_at: 1 })?.message).toBe('the profile claim updated_at is set by Sesame');
  });

  it('reads own claims only: a claim named like an Object method is unknown', () => {
    expect(refusal(JSON.parse('{"constructor": "x"}'))?.message).toContain('constructor is not known');
    expect(refusal(JSON.parse('{"__proto__": {"name": "x"}}'))?.code).toBe('ERR_PROFILE_INVALID');
  });
});

describe('applyProfileChange', () => {
  it('replaces given claims, removes null ones, keeps the rest, and moves updated_at', () => {
    const current = { name: 'Alice', email: 'alice@example.com', updated_at: 1 };
    const { profile, changed } = applyProfileChange(current, { email: null, locale: 'en-GB' }, 100);
    expect(profile).toEqual({ name: 'Alice', locale: 'en-GB', updated_at: 100 });
    expect(changed).toEqual(['locale', 'email']); // in Core §5.1 order
    expect(current).toEqual({ name: 'Alice', email: 'alice@example.com', updated_at: 1 }); // not mutated
  });

  it('a change to the same values, or removing what is not there, changes nothing', () => {
    const current = { name: 'Alice', address: { country: 'GB' }, updated_at: 1 };
    const same = applyProfileChange(
      current,
      { name: 'Alice', address: { country: 'GB' }, nickname: null },
      100,
    );
    expect(same).toEqual({ profile: current, changed: [] });
  });
});
