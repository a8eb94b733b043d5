import { ProtocolError, validateScopes } from '@sesame/protocol';
import { CliError, EXIT } from '@sesame/tools';

/**
 * A scopes argument of the command line (`--scopes`, `--add`, `sesame users scopes NAME SCOPES`):
 * scope tokens separated by spaces (or other whitespace), commas or both ("openid quiz", "openid,quiz", "openid, quiz"),
 * each checked by @sesame/protocol's RFC 6749 §3.3 rule; repeats are dropped. A comma is a valid
 * scope-token character, but on the command line it has always separated scopes, so it still does.
 * Anything else is ERR_SCOPE_INVALID (exit 2) before the store is opened.
 *
 * @example scopeArgument('openid, quiz', '--scopes') // ['openid', 'quiz']
 */
export function scopeArgument(value: string, option: string): string[] {
  try {
    return validateScopes(value.split(/[\s,]+/).filter((item) => item !== ''));
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw new CliError(
      'ERR_SCOPE_INVALID',
      `${option} must be scope tokens separated by spaces or commas (RFC 6749 §3.3: printable ASCII without '"' or '\\')`,
      EXIT.usage,
    );
  }
}
