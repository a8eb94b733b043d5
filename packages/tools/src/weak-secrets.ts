import { access, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type TokenWarning, weakSecretReason } from './analysis.js';
import { badInput } from './errors.js';

/**
 * Where the list of publicly leaked JWT secrets is looked for when `--weak-secrets` is not given,
 * relative to the working directory (the project's shared test vectors, next to the checkout).
 * The list is never copied into the repository: it is large and not ours.
 */
export const DEFAULT_WEAK_SECRETS = '../shared/vectors/weak-secrets/jwt.secrets.list';

/**
 * True when `secret` is a line of the list. The list has CRLF line endings and its first line is
 * the empty secret, which is a real (and really leaked) value, so empty lines count as entries.
 */
export function isListed(listText: string, secret: string): boolean {
  return listText.split(/\r?\n/).includes(secret);
}

/**
 * Reads the leaked-secret list: the file named by `--weak-secrets` (which must exist), else the
 * default path when present. Undefined when there is no list; the built-in checks still run.
 */
export async function readLeakedList(path: string | undefined): Promise<string | undefined> {
  if (path !== undefined) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw badInput(`cannot read the weak-secret list ${path} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  const fallback = resolve(process.cwd(), DEFAULT_WEAK_SECRETS);
  try {
    await access(fallback);
    return await readFile(fallback, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The weak-secret warning for an HMAC secret, or undefined when it passes: on the leaked list, or
 * weak by the built-in checks (shorter than the hash, few characters, common words). The message
 * never repeats the secret.
 */
export function secretWarning(
  secret: string,
  alg: string,
  listText: string | undefined,
): TokenWarning | undefined {
  if (listText !== undefined && isListed(listText, secret)) {
    return { code: 'weak-secret', message: 'the HMAC secret is on a public list of leaked JWT secrets' };
  }
  const reason = weakSecretReason(secret, alg);
  return reason === undefined ? undefined : { code: 'weak-secret', message: `weak HMAC secret: ${reason}` };
}
