/**
 * Validation of how a client wants its ID tokens and /userinfo answers (OpenID Connect
 * Registration §2): `*_encrypted_response_alg` among the asymmetric key management algorithms
 * (encryption-keys.ts), `*_encrypted_response_enc` defaulting to A128CBC-HS256 when the alg is given
 * and refused without it, `userinfo_signed_response_alg` among the server's signing algorithms; and,
 * with the client's keys, that an inline key set holds a key to encrypt to. A `jwks_uri` is not
 * fetched at registration: its keys are looked up when a response is encrypted.
 */
import type { JWK, KeyManagementAlgorithm } from '@sesame/jwt';
import type { ClientJwks } from '../../store/types.js';
import { ENCRYPTION_ALGORITHMS, ENCRYPTION_ENCS, selectEncryptionKey } from './encryption-keys.js';
import { ClientError } from './validate.js';

const invalid = (message: string) => new ClientError('ERR_CLIENT_INVALID', message);

/** Registration §2: "If … alg is specified, the default … enc value is A128CBC-HS256." */
export const DEFAULT_ENC = 'A128CBC-HS256';

const shown = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : 'that value';

/** One response's settings as given (undefined: unchanged) and as they were. */
export interface EncryptionInput {
  alg: unknown;
  enc: unknown;
  before: { alg: string | null; enc: string | null };
}

/**
 * The alg and enc a response is encrypted with, or both null. `field` is the settings' prefix
 * (`idTokenEncryptedResponse`, `userinfoEncryptedResponse`), named in messages.
 *
 * @example validateEncryption('idTokenEncryptedResponse', { alg: 'RSA-OAEP-256', enc: undefined, before }) // { alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256' }
 */
export function validateEncryption(
  field: string,
  input: EncryptionInput,
): { alg: string | null; enc: string | null } {
  const alg = input.alg === undefined ? input.before.alg : input.alg;
  if (alg !== null && !(ENCRYPTION_ALGORITHMS as readonly unknown[]).includes(alg)) {
    const why =
      alg === 'RSA1_5' || (typeof alg === 'string' && alg.startsWith('PBES2'))
        ? ' (refused: see docs/security.md)'
        : '';
    throw invalid(
      `${field}Alg: ${shown(alg)} is not offered${why}; valid: ${ENCRYPTION_ALGORITHMS.join(', ')}`,
    );
  }
  if (alg === null) {
    // Registration §2: an enc without its alg means nothing.
    if (input.enc !== undefined && input.enc !== null)
      throw invalid(`${field}Enc needs ${field}Alg (OpenID Connect Registration section 2)`);
    return { alg: null, enc: null };
  }
  const enc = input.enc === undefined ? (input.before.enc ?? DEFAULT_ENC) : (input.enc ?? DEFAULT_ENC);
  if (!(ENCRYPTION_ENCS as readonly unknown[]).includes(enc))
    throw invalid(`${field}Enc: ${shown(enc)} is not offered; valid: ${ENCRYPTION_ENCS.join(', ')}`);
  return { alg: alg as string, enc: enc as string };
}

/**
 * `userinfoSignedResponseAlg`: one the server signs with (`signable`), or null for JSON answers.
 */
export function validateUserinfoSigningAlg(alg: unknown, signable: readonly string[]): string | null {
  if (alg === undefined || alg === null) return null;
  if (typeof alg !== 'string' || !signable.includes(alg))
    throw invalid(
      `userinfoSignedResponseAlg: ${shown(alg)} is not an algorithm this server signs with; valid: ${signable.join(', ')}`,
    );
  return alg;
}

/**
 * Encryption needs the client's keys: a `jwks_uri`, or an inline set holding a key for each
 * algorithm asked for (checked now, so the mistake shows at registration, not at the first login).
 */
export function checkEncryptionKeys(
  algorithms: readonly (string | null)[],
  jwks: ClientJwks | null,
  jwksUri: string | null,
): void {
  for (const alg of algorithms) {
    if (alg === null) continue;
    if (jwks === null && jwksUri === null)
      throw invalid(`encrypting responses with ${alg} needs the client's public keys: jwks or jwksUri`);
    if (jwks !== null && selectEncryptionKey(jwks.keys as JWK[], alg as KeyManagementAlgorithm) === undefined)
      throw invalid(
        `jwks holds no public key for ${alg} (a key of use "enc", or of no use, of the type ${alg} needs)`,
      );
  }
}

/** The response settings of a client (store/types.ts Client). */
export interface ResponseSettings {
  idTokenEncryptedResponseAlg: string | null;
  idTokenEncryptedResponseEnc: string | null;
  userinfoSignedResponseAlg: string | null;
  userinfoEncryptedResponseAlg: string | null;
  userinfoEncryptedResponseEnc: string | null;
}

const NONE: ResponseSettings = {
  idTokenEncryptedResponseAlg: null,
  idTokenEncryptedResponseEnc: null,
  userinfoSignedResponseAlg: null,
  userinfoEncryptedResponseAlg: null,
  userinfoEncryptedResponseEnc: null,
};

/**
 * All five settings, from the given ones (undefined: unchanged, null: cleared) over `before` (a
 * client being changed; none for a new one), checked together with the keys the client will have.
 *
 * @example const settings = validateResponseSettings(input, undefined, ['ES256', 'RS256'], jwks, null);
 */
export function validateResponseSettings(
  given: Partial<Record<keyof ResponseSettings, unknown>>,
  before: ResponseSettings | undefined,
  signable: readonly string[],
  jwks: ClientJwks | null,
  jwksUri: string | null,
): ResponseSettings {
  const was = before ?? NONE;
  const idToken = validateEncryption('idTokenEncryptedResponse', {
    alg: given.idTokenEncryptedResponseAlg,
    enc: given.idTokenEncryptedResponseEnc,
    before: { alg: was.idTokenEncryptedResponseAlg, enc: was.idTokenEncryptedResponseEnc },
  });
  const userinfo = validateEncryption('userinfoEncryptedResponse', {
    alg: given.userinfoEncryptedResponseAlg,
    enc: given.userinfoEncryptedResponseEnc,
    before: { alg: was.userinfoEncryptedResponseAlg, enc: was.userinfoEncryptedResponseEnc },
  });
  const userinfoSigning =
    given.userinfoSignedResponseAlg === undefined
      ? was.userinfoSignedResponseAlg
      : validateUserinfoSigningAlg(given.userinfoSignedResponseAlg, signable);
  checkEncryptionKeys([idToken.alg, userinfo.alg], jwks, jwksUri);
  return {
    idTokenEncryptedResponseAlg: idToken.alg,
    idTokenEncryptedResponseEnc: idToken.enc,
    userinfoSignedResponseAlg: userinfoSigning,
    userinfoEncryptedResponseAlg: userinfo.alg,
    userinfoEncryptedResponseEnc: userinfo.enc,
  };
}
