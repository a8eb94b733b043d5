/** The classic profile's keyring: a shared HMAC secret instead of stored keys. */
import { importKey, type JWK, type JWKS, type Key } from '@sesame/jwt';
import { KeyringError } from './errors.js';
import type { Keyring, KeyringOptions } from './types.js';

/**
 * The classic profile: one shared HMAC secret, never stored, never published, never rotated.
 *
 * @example const keyring = hmacKeyring({ secret: config.hmacSecret }); // signs HS256
 */
export function hmacKeyring(hmac: NonNullable<KeyringOptions['hmac']>): Keyring {
  let key: Key;
  try {
    key = importKey(hmac.secret, hmac.algorithm ?? 'HS256', hmac.kid === undefined ? {} : { kid: hmac.kid });
  } catch (error) {
    // importKey's message says what is wrong (too short, looks like a public key) without the secret.
    throw new KeyringError(
      'ERR_KEYRING_OPTION_INVALID',
      `the HMAC secret is refused: ${(error as Error).message}`,
    );
  }
  const empty: JWKS = Object.freeze({ keys: Object.freeze([]) as unknown as JWK[] });
  return Object.freeze({
    algorithms: Object.freeze([key.alg]),
    signingKey(alg?: string) {
      if (alg !== undefined && alg !== key.alg)
        throw new KeyringError('ERR_KEYRING_NO_CURRENT', `there is no current ${alg} signing key`);
      return key;
    },
    jwks: () => empty,
    keySet: () => ({ select: () => [key] }),
    rotate: async () => false,
    revoke: async () => {
      throw new KeyringError(
        'ERR_KEYRING_KEY_NOT_FOUND',
        'the HMAC secret is not a stored key: replace the secret to withdraw it',
      );
    },
    maybeRotate: async () => false,
    reload: async () => undefined,
    fresh: async () => undefined,
    list: () => [],
    start: () => undefined,
    stop: () => undefined,
  });
}
