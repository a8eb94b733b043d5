/**
 * A configuration problem; its message is one line naming the key (the CLI prints only that).
 * Its own module, so the checks config.ts runs (distributed.ts, master-key.ts) can throw it without
 * importing config.ts back.
 *
 * @example throw new ConfigError(`port (${envName('port')}): must be a whole number from 0 to 65535`);
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
