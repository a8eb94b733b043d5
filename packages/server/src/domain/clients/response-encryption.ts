/**
 * Encrypting a response to its client (OpenID Connect Core §10.2, Registration §2): the ID token,
 * signed first, as a nested JWT (`cty: "JWT"`, RFC 7519 §5.2), and /userinfo's answer, to the key
 * of use `enc` the client registered for the algorithm it asked for (encryption-keys.ts), found in
 * its inline `jwks` or fetched from its `jwks_uri` under the SSRF rules (client-keys.ts). A client
 * whose keys hold no such key, or whose key set cannot be fetched, gets an OAuth error and no
 * response in the clear.
 */
import {
  type ContentEncryptionAlgorithm,
  createEncrypter,
  isJwtError,
  type KeyManagementAlgorithm,
} from '@sesame/jwt';
import type { Client } from '../../store/types.js';
import { OAuthError } from '../errors.js';
import type { ClientKeySets } from './client-keys.js';
import { selectEncryptionKey } from './encryption-keys.js';

/** Which response: the two a client may have encrypted. */
export type EncryptedResponse = 'id_token' | 'userinfo';

/** Encrypts one response's plaintext (a JWS, or JSON claims) as a compact JWE. */
export type ResponseEncrypter = (plaintext: string) => string;

export interface ResponseEncryption {
  /**
   * The encrypter for the client's `response`, or undefined when the client asked for it in the
   * clear. Throws OAuthError `unauthorized_client` when it cannot be encrypted as asked.
   *
   * @example const encrypt = await encryption.encrypterFor(client, 'id_token'); const jwe = encrypt?.(idToken);
   */
  encrypterFor(client: Client, response: EncryptedResponse): Promise<ResponseEncrypter | undefined>;
}

function settingsOf(client: Client, response: EncryptedResponse) {
  return response === 'id_token'
    ? { alg: client.idTokenEncryptedResponseAlg, enc: client.idTokenEncryptedResponseEnc }
    : { alg: client.userinfoEncryptedResponseAlg, enc: client.userinfoEncryptedResponseEnc };
}

/** @example const encryption = createResponseEncryption({ keySets }); */
export function createResponseEncryption(options: { keySets: ClientKeySets }): ResponseEncryption {
  const { keySets } = options;
  return Object.freeze({
    async encrypterFor(client: Client, response: EncryptedResponse) {
      const { alg, enc } = settingsOf(client, response);
      if (alg === null) return undefined;
      const field = `${response}_encrypted_response_alg`;
      let keys: Awaited<ReturnType<ClientKeySets['keysOf']>>;
      try {
        keys = await keySets.keysOf(client);
      } catch (error) {
        if (!isJwtError(error)) throw error;
        // The reason names no key and no secret: the URL's answer, a timeout, a refused address.
        throw new OAuthError(
          'unauthorized_client',
          `the client's jwks_uri could not be read to encrypt the ${response} (${error.message})`,
        );
      }
      const key = keys && selectEncryptionKey(keys, alg as KeyManagementAlgorithm);
      if (key === undefined)
        throw new OAuthError(
          'unauthorized_client',
          `the client's keys hold no public key of use enc for its ${field} ${alg}`,
        );
      // RFC 7519 §5.2: an ID token is a JWT in a JWT; userinfo's signed answer is one too.
      const signed = response === 'id_token' || client.userinfoSignedResponseAlg !== null;
      return createEncrypter({
        key,
        enc: (enc ?? 'A128CBC-HS256') as ContentEncryptionAlgorithm,
        ...(signed && { cty: 'JWT' }),
      });
    },
  });
}
