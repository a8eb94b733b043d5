/**
 * The cross-key rules of distributed mode, checked once when the configuration is loaded, so a
 * misconfigured instance stops at start with one line instead of failing its first request.
 * Messages name the key and its variable, never its value: URLs carry passwords.
 */

import { ConfigError } from './errors.js';
import { decodeMasterKey } from './master-key.js';
import { envName } from './schema.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//;
const REDIS_URL = /^rediss?:\/\//;

/**
 * Throws a ConfigError when the distributed-mode keys do not fit together.
 *
 * @example checkDistributed({ databaseUrl: 'postgres://db/sesame', masterKey: '' }); // throws: masterKey required
 */
export function checkDistributed(config: Record<string, unknown>): void {
  const databaseUrl = String(config.databaseUrl ?? '');
  const redisUrl = String(config.redisUrl ?? '');
  const masterKey = String(config.masterKey ?? '');
  const previous = String(config.masterKeyPrevious ?? '');
  if (databaseUrl !== '' && (!POSTGRES_URL.test(databaseUrl) || !URL.canParse(databaseUrl)))
    throw new ConfigError(`databaseUrl (${envName('databaseUrl')}): must be a postgres:// URL`);
  if (redisUrl !== '' && (!REDIS_URL.test(redisUrl) || !URL.canParse(redisUrl)))
    throw new ConfigError(`redisUrl (${envName('redisUrl')}): must be a redis:// or rediss:// URL`);
  // PostgreSQL is shared, backed up and replicated: private keys go there encrypted or not at all.
  if (databaseUrl !== '' && masterKey === '')
    throw new ConfigError(
      `masterKey (${envName('masterKey')}): required with ${envName('databaseUrl')}, to encrypt the signing keys (make one: openssl rand -base64 32)`,
    );
  if (previous !== '' && masterKey === '')
    throw new ConfigError(
      `masterKeyPrevious (${envName('masterKeyPrevious')}): needs ${envName('masterKey')} too`,
    );
  // Decoding now turns a malformed key into a one-line error at start.
  if (masterKey !== '') decodeMasterKey(masterKey, 'SESAME_MASTER_KEY');
  if (previous !== '') decodeMasterKey(previous, 'SESAME_MASTER_KEY_PREVIOUS');
}
