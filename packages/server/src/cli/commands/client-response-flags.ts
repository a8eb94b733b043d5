/**
 * The `clients add|set` flags for how a client wants its ID tokens and /userinfo answers (OpenID
 * Connect Registration §2): encrypted to its registered key of use `enc`, and /userinfo signed.
 * `none` clears a setting; the domain checks the values and the keys (validate-encryption.ts).
 */
import type { Command } from 'commander';
import type { ClientChanges } from '../../domain/clients/clients.js';
import { ENCRYPTION_ALGORITHMS, ENCRYPTION_ENCS } from '../../domain/clients/encryption-keys.js';

export interface ResponseOptions {
  idTokenEncryption?: string;
  idTokenEncryptionEnc?: string;
  userinfoSigning?: string;
  userinfoEncryption?: string;
  userinfoEncryptionEnc?: string;
}

/** Adds the flags to `add` and `set`. */
export function responseFlags(command: Command): Command {
  return command
    .option(
      '--id-token-encryption <alg>',
      `encrypt its ID tokens to its jwks key of use enc: ${ENCRYPTION_ALGORITHMS.join(', ')}, or none (id_token_encrypted_response_alg)`,
    )
    .option(
      '--id-token-encryption-enc <enc>',
      `their content encryption: ${ENCRYPTION_ENCS.join(', ')} (default A128CBC-HS256)`,
    )
    .option(
      '--userinfo-signing <alg>',
      '/userinfo answers a JWT signed with this algorithm (one ID tokens may use), or none (userinfo_signed_response_alg)',
    )
    .option(
      '--userinfo-encryption <alg>',
      '/userinfo answers a JWT encrypted to its key of use enc, or none (userinfo_encrypted_response_alg)',
    )
    .option('--userinfo-encryption-enc <enc>', 'its content encryption (default A128CBC-HS256)');
}

const setting = (value: string) => (value === 'none' ? null : value);

/** The settings the flags name (none when no flag was given). */
export function responseChanges(options: ResponseOptions): ClientChanges {
  const changes: ClientChanges = {};
  if (options.idTokenEncryption !== undefined)
    changes.idTokenEncryptedResponseAlg = setting(options.idTokenEncryption);
  if (options.idTokenEncryptionEnc !== undefined)
    changes.idTokenEncryptedResponseEnc = setting(options.idTokenEncryptionEnc);
  if (options.userinfoSigning !== undefined)
    changes.userinfoSignedResponseAlg = setting(options.userinfoSigning);
  if (options.userinfoEncryption !== undefined)
    changes.userinfoEncryptedResponseAlg = setting(options.userinfoEncryption);
  if (options.userinfoEncryptionEnc !== undefined)
    changes.userinfoEncryptedResponseEnc = setting(options.userinfoEncryptionEnc);
  return changes;
}
