/**
 * `sesame keys generate --use enc`: a key that tokens are encrypted to (RFC 7516), e.g. a resource
 * server's. The private key (or secret) goes to `--out` (mode 0600) and the public JWK, with
 * `use: "enc"`, `alg` and `kid`, to stdout, ready for a JWK Set; without `--out` the private key
 * goes to stdout as for signing keys. RSA1_5 and PBES2 are not offered (they are not in the table).
 */
import {
  type ContentEncryptionAlgorithm,
  exportJWK,
  type GenerateKeyPairOptions,
  generateKeyPair,
  generateSecret,
  type Key,
  type KeyManagementAlgorithm,
  keyManagementSpec,
  thumbprint,
} from '@sesame/jwt';
import { usage } from './errors.js';
import { parseEnc, parseKeyManagementAlg } from './jwe-keys.js';

const CURVES = ['P-256', 'P-384', 'P-521', 'X25519'] as const;

export interface EncryptionKeyOptions {
  alg?: string;
  /** ECDH-ES curve (default P-256). */
  crv?: string;
  /** `dir` only: the content encryption the secret serves. */
  enc?: string;
  format?: string;
  kid?: string;
  bits?: string;
}

/** The generated key as text to write, and the public JWK to print (none for a secret). */
export interface GeneratedEncryptionKey {
  alg: KeyManagementAlgorithm;
  secret: boolean;
  privateText: string;
  format: 'pem' | 'jwk';
  publicJwk?: Record<string, unknown>;
}

/**
 * Checks the options and makes the key; every refusal is one usage line.
 *
 * @example const made = generateEncryptionKey({ alg: 'ECDH-ES+A256KW', crv: 'X25519' });
 */
export function generateEncryptionKey(options: EncryptionKeyOptions): GeneratedEncryptionKey {
  const alg = parseKeyManagementAlg(options.alg ?? 'ECDH-ES+A256KW');
  const spec = keyManagementSpec(alg)!;
  const secret = spec.kty.includes('oct');
  const ecdh = spec.family === 'ECDH';
  const format = options.format ?? (secret ? 'jwk' : 'pem');
  if (format !== 'pem' && format !== 'jwk') throw usage('--format must be pem or jwk');
  if (secret && format === 'pem')
    throw usage(`${alg} keys are secrets, written as JWK; leave out --format pem`);
  if (options.kid !== undefined && format === 'pem')
    throw usage('a PEM file has no place for a kid; use --format jwk');
  if (options.crv !== undefined && !ecdh) throw usage('--crv applies to ECDH-ES keys only');
  if (options.crv !== undefined && !(CURVES as readonly string[]).includes(options.crv))
    throw usage(`--crv must be one of ${CURVES.join(', ')}`);
  if (options.enc !== undefined && alg !== 'dir') throw usage('--enc applies to dir keys only');
  if (alg === 'dir' && options.enc === undefined)
    throw usage('a dir key serves one content encryption: give --enc');
  const pairOptions: GenerateKeyPairOptions = {};
  if (options.crv !== undefined) pairOptions.crv = options.crv as GenerateKeyPairOptions['crv'];
  if (options.bits !== undefined) {
    if (spec.family !== 'RSA-OAEP') throw usage('--bits applies to RSA keys only');
    const bits = Number(options.bits);
    if (!Number.isInteger(bits) || bits < 2048 || bits > 16384)
      throw usage('--bits must be a whole number from 2048 to 16384');
    pairOptions.modulusLength = bits;
  }
  let privateKey: Key<KeyManagementAlgorithm>;
  let publicKey: Key<KeyManagementAlgorithm> | undefined;
  if (secret) {
    const enc = options.enc === undefined ? undefined : (parseEnc(options.enc) as ContentEncryptionAlgorithm);
    privateKey = generateSecret(alg, { enc });
  } else {
    ({ privateKey, publicKey } = generateKeyPair(alg, pairOptions));
  }
  const kid = options.kid ?? thumbprint(publicKey ?? privateKey);
  const privateText =
    format === 'jwk'
      ? `${JSON.stringify({ ...exportJWK(privateKey, { private: true }), kid, use: 'enc' }, null, 2)}\n`
      : privateKey.keyObject.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicJwk = publicKey && { ...exportJWK(publicKey), kid, use: 'enc', alg };
  return { alg, secret, privateText, format: format as 'pem' | 'jwk', publicJwk };
}
