import { readFileSync } from 'node:fs';

/**
 * The checks an HS256 shared secret must pass before the server starts, beyond its length (≥ 32
 * bytes, checked in config.ts). A token signed with a guessable secret is a token anyone can mint,
 * and offline guessing against one captured token costs the attacker nothing but CPU, so a weak
 * secret is refused at start rather than warned about.
 *
 * Built in: not one character repeated, and not a single dictionary-like word (letters, optionally
 * followed by digits: "supercalifragilisticexpialidocious1"). Stricter word lists would refuse
 * reasonable passphrases; the published list below catches what people actually used.
 *
 * Optional: `weakSecretsFile` (SESAME_WEAK_SECRETS_FILE), a list of secrets seen in real tokens,
 * one a line (CRLF or LF), such as wallarm's jwt.secrets.list. The list is not shipped with Sesame
 * (it is large and not ours), so the operator points at it; when named, it must be readable.
 */

/** Letters only, optionally followed by digits: a word, however long. */
const SINGLE_WORD = /^[A-Za-z]+[0-9]*$/;

/** Lists already read, by path: every CLI command loads the configuration again. */
const lists = new Map<string, Set<string>>();

/**
 * Why `secret` must not sign tokens, or undefined when it passes. `listFile` '' means no list.
 * Throws `Error` with a one-line message when the list cannot be read. Never repeats the secret.
 *
 * @example hmacSecretProblem('a'.repeat(40), '') // 'the secret is one character repeated'
 */
export function hmacSecretProblem(secret: string, listFile: string): string | undefined {
  if (secret.length > 0 && new Set(secret).size === 1) return 'the secret is one character repeated';
  if (SINGLE_WORD.test(secret)) return 'the secret is a single dictionary-like word';
  if (listFile !== '' && leakedSecrets(listFile).has(secret)) {
    return 'the secret is on the list of leaked secrets';
  }
  return undefined;
}

function leakedSecrets(path: string): Set<string> {
  let set = lists.get(path);
  if (set === undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    // Empty lines are entries too: the empty secret was really used (and is refused by length anyway).
    set = new Set(text.split(/\r?\n/));
    lists.set(path, set);
  }
  return set;
}
