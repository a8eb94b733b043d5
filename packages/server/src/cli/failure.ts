import { AccountError } from '../accounts/errors.js';
import { ClientError } from '../clients/clients.js';
import { ConfigError } from '../config.js';
import { isStoreError } from '../store/errors.js';

/** A failure the user can act on; its message is printed as is, on one line. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * The one line printed for a failed command. Known errors keep their message (they never carry a
 * secret); anything else shows only its first line, never a stack trace.
 */
export function describeFailure(error: unknown): string {
  if (
    error instanceof CommandError ||
    error instanceof ConfigError ||
    error instanceof AccountError ||
    error instanceof ClientError
  ) {
    return error.message;
  }
  if (isStoreError(error, 'ERR_STORE_DUPLICATE')) return 'that name is already taken';
  if (isStoreError(error)) return `the store failed: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? 'failed').slice(0, 300);
}
