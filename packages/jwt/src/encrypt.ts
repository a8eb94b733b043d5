import { Buffer } from 'node:buffer';
import { base64urlEncode } from './base64url.js';
import { JwtError } from './errors.js';
import {
  type ContentEncryptionAlgorithm,
  contentEncryptionSpec,
  type KeyManagementAlgorithm,
  keyManagementSpec,
  refusedKeyManagement,
} from './jwe-algorithms.js';
import type { Key } from './keys.js';
import { encryptContent } from './lib/content-encryption.js';
import { assertJweKeyFits, assertKey } from './lib/jwe-keys.js';
import type { JweHeader } from './lib/jwe-parts.js';
import { type AgreementInfo, wrapCek } from './lib/key-management.js';

export interface EncryptOptions {
  /** Key management algorithm; defaults to the one the key was imported for. */
  alg?: KeyManagementAlgorithm;
  /** Content encryption algorithm. Required: there is no silent default. */
  enc: ContentEncryptionAlgorithm;
  /** Header `kid`; defaults to the key's kid. */
  kid?: string;
  /** Header `typ`; absent unless given. */
  typ?: string;
  /** Header `cty` ("JWT" for a nested JWT, RFC 7519 §5.2). */
  cty?: string;
  /** Further header parameters. The ones key management writes, `zip` and `enc`/`alg` cannot be set here. */
  header?: Record<string, unknown>;
  /** ECDH-ES only: Agreement PartyUInfo and PartyVInfo for the Concat KDF (RFC 7518 §4.6.1.2–3). */
  apu?: Uint8Array;
  apv?: Uint8Array;
}

/** A bound encrypting function from `createEncrypter`. */
export type Encrypter = (plaintext: Uint8Array | string) => string;

/** Parameters the caller may not set: key management writes them, or Sesame refuses them. */
const RESERVED = ['alg', 'enc', 'zip', 'epk', 'apu', 'apv', 'iv', 'tag', 'p2s', 'p2c'];

function optionalString(value: unknown, name: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new JwtError('ERR_OPTION_INVALID', `${name} must be a string`);
  }
  return value;
}

/**
 * Validates the options and the key once and returns a function that encrypts fast, as a compact
 * JWE (RFC 7516 §7.1). The recipient's key may be public (RSA-OAEP, ECDH-ES), a wrapping key
 * (A*KW, A*GCMKW) or a direct key (`dir`); a fresh CEK, IV and (for ECDH-ES) ephemeral key are made
 * for every token.
 *
 * @example
 * const recipient = importJWK(clientJwk, 'ECDH-ES+A256KW');
 * const encryptFor = createEncrypter({ key: recipient, enc: 'A256GCM' });
 * const token = encryptFor('hello');
 */
export function createEncrypter(options: EncryptOptions & { key: Key<KeyManagementAlgorithm> }): Encrypter {
  if (typeof options !== 'object' || options === null)
    throw new JwtError('ERR_OPTION_INVALID', 'options are required');
  const { key } = options;
  assertKey(key);
  const alg = options.alg ?? key.alg;
  if (refusedKeyManagement(alg)) throw new JwtError('ERR_OPTION_INVALID', 'the algorithm is refused');
  const km = keyManagementSpec(alg);
  if (!km) throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'unsupported key management algorithm');
  const enc = contentEncryptionSpec(options.enc);
  if (!enc) throw new JwtError('ERR_OPTION_INVALID', 'enc must be a supported content encryption algorithm');
  assertJweKeyFits(key, km, enc, false);
  const info: AgreementInfo = { apu: Buffer.alloc(0), apv: Buffer.alloc(0) };
  const fixed: JweHeader = { alg: km.alg, enc: enc.enc };
  const kid = optionalString(options.kid, 'kid') ?? key.kid;
  if (kid !== undefined) fixed.kid = kid;
  const typ = optionalString(options.typ, 'typ');
  if (typ !== undefined) fixed.typ = typ;
  const cty = optionalString(options.cty, 'cty');
  if (cty !== undefined) fixed.cty = cty;
  if (options.header !== undefined) {
    if (typeof options.header !== 'object' || options.header === null || Array.isArray(options.header)) {
      throw new JwtError('ERR_OPTION_INVALID', 'header must be an object');
    }
    for (const name of RESERVED) {
      if (name in options.header)
        throw new JwtError('ERR_OPTION_INVALID', `the header ${name} cannot be set`);
    }
    Object.assign(fixed, options.header);
  }
  for (const name of ['apu', 'apv'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (!(value instanceof Uint8Array)) throw new JwtError('ERR_OPTION_INVALID', `${name} must be bytes`);
    if (km.family !== 'ECDH') throw new JwtError('ERR_OPTION_INVALID', `${name} is for ECDH-ES only`);
    info[name] = Buffer.from(value);
    fixed[name] = base64urlEncode(value);
  }
  // Without ephemeral parameters (epk, GCMKW's iv and tag) the header is the same for every token.
  const fixedSegment = base64urlEncode(JSON.stringify(fixed));

  return (plaintext) => {
    if (typeof plaintext !== 'string' && !(plaintext instanceof Uint8Array)) {
      throw new JwtError('ERR_OPTION_INVALID', 'the plaintext must be a string or bytes');
    }
    const wrapped = wrapCek(km, enc, key, info);
    const headerSegment =
      wrapped.header.epk === undefined && wrapped.header.iv === undefined
        ? fixedSegment
        : base64urlEncode(JSON.stringify({ ...fixed, ...wrapped.header }));
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
    const { iv, ciphertext, tag } = encryptContent(
      enc,
      wrapped.cek,
      bytes,
      Buffer.from(headerSegment, 'ascii'),
    );
    return `${headerSegment}.${wrapped.encryptedKey.toString('base64url')}.${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${tag.toString('base64url')}`;
  };
}

/**
 * Encrypts bytes or text as a compact JWE (RFC 7516). For a JWT use `encryptJwt`.
 *
 * @example
 * const token = encrypt('secret message', recipientPublicKey, { enc: 'A256GCM' });
 */
export function encrypt(
  plaintext: Uint8Array | string,
  key: Key<KeyManagementAlgorithm>,
  options: EncryptOptions,
): string {
  return createEncrypter({ ...options, key })(plaintext);
}
