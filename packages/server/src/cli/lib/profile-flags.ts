/**
 * The profile claim flags of `sesame users add` and `sesame users set`: a handful of common claims
 * as flags (`--email alice@example.com --email-verified yes`), `--unset CLAIM` for `set`. The flags
 * only gather a change; the domain checks each claim (domain/accounts/profile.ts), so the admin
 * API and the CLI refuse the same values with the same words.
 */
import { collect, usage } from '@sesame/tools';
import type { Command } from 'commander';

/** Flag → claim, in the order `--help` lists them. */
const FLAGS = [
  ['--name', 'name', 'full name'],
  ['--given-name', 'given_name', 'given name(s)'],
  ['--family-name', 'family_name', 'surname(s)'],
  ['--email', 'email', 'email address'],
  ['--email-verified', 'email_verified', 'whether the email address was verified: yes or no'],
  ['--phone', 'phone_number', 'phone number in E.164 form (+33612345678)'],
  ['--phone-verified', 'phone_number_verified', 'whether the phone number was verified: yes or no'],
  ['--locale', 'locale', 'BCP 47 language tag (en-US)'],
  ['--picture', 'picture', 'URL of a profile picture'],
] as const;

const BOOLEAN_CLAIMS = new Set<string>(['email_verified', 'phone_number_verified']);

/** What commander makes of `--given-name`: `givenName`. */
const optionKey = (flag: string) =>
  flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Adds the claim flags (and, for `set`, `--unset CLAIM`) to a command. */
export function withProfileFlags(command: Command, options: { unset: boolean }): Command {
  for (const [flag, , description] of FLAGS) command.option(`${flag} <value>`, description);
  if (options.unset)
    command.option('--unset <claim>', 'remove a claim, by its OpenID Connect name (repeatable)', collect, []);
  return command;
}

function yesNo(flag: string, value: string): boolean {
  const word = value.toLowerCase();
  if (word === 'yes' || word === 'true') return true;
  if (word === 'no' || word === 'false') return false;
  throw usage(`${flag} must be yes or no`);
}

/**
 * The profile change the flags ask for (claims given, `null` for each `--unset`), or undefined
 * when no flag was given. A claim both set and unset is a usage error.
 *
 * @example profileFromFlags({ email: 'a@example.com', unset: ['name'] }) // { email: '…', name: null }
 */
export function profileFromFlags(options: Record<string, unknown>): Record<string, unknown> | undefined {
  const change: Record<string, unknown> = {};
  for (const [flag, claim] of FLAGS) {
    const value = options[optionKey(flag)];
    if (typeof value !== 'string') continue;
    change[claim] = BOOLEAN_CLAIMS.has(claim) ? yesNo(flag, value) : value;
  }
  const unset = Array.isArray(options.unset) ? (options.unset as string[]) : [];
  for (const claim of unset) {
    if (Object.hasOwn(change, claim)) throw usage(`${claim} is both set and unset`);
    change[claim] = null;
  }
  return Object.keys(change).length > 0 ? change : undefined;
}
