/** The form of SESAME_MASTER_KEY (what it encrypts, and how, is domain/keys/master-key-cipher.ts). */
import { ConfigError } from './errors.js';

/**
 * The master key's 32 bytes from base64/base64url (43–44 chars) or hex (64 chars); anything else is
 * a ConfigError naming the variable (never the value). Checked when the configuration is loaded
 * (config/distributed.ts) and again by the cipher that uses it (domain/keys/master-key-cipher.ts).
 *
 * @example decodeMasterKey(process.env.SESAME_MASTER_KEY!, 'SESAME_MASTER_KEY').length // 32
 */
export function decodeMasterKey(text: string, name: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  // The message names the variable and the expected form, never the value.
  if (bytes?.length !== 32)
    throw new ConfigError(
      `${name}: must be 32 random bytes as base64 or hex (make one with: openssl rand -base64 32)`,
    );
  return bytes;
}
