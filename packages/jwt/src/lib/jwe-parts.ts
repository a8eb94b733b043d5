/**
 * The compact JWE serialization (RFC 7516 §7.1) taken apart and its protected header checked
 * (§5.2 steps 1–5), before any key is touched: five parts, strict base64url, a strict JSON object
 * header, `alg` and `enc` in the caller's allow-lists, no `zip`, `crit` understood.
 */
import { Buffer } from 'node:buffer';
import { isBase64url } from '../base64url.js';
import { JwtError } from '../errors.js';
import {
  type ContentEncryptionSpec,
  contentEncryptionSpec,
  type KeyManagementSpec,
  keyManagementSpec,
  refusedKeyManagement,
} from '../jwe-algorithms.js';
import { checkCrit, JWE_REGISTERED } from './crit.js';
import { parseJsonObject } from './json.js';

/** A JWE protected header (RFC 7516 §4). */
export interface JweHeader {
  alg: string;
  enc: string;
  kid?: string;
  typ?: string;
  cty?: string;
  crit?: string[];
  [parameter: string]: unknown;
}

export interface ParsedJwe {
  header: JweHeader;
  km: KeyManagementSpec;
  enc: ContentEncryptionSpec;
  /** ASCII of the protected header segment as received: the AAD (RFC 7516 §5.2 step 14). */
  aad: Buffer;
  encryptedKey: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** @internal Options shaping parsing, validated once by the decrypter. */
export interface JweParseOptions {
  maxTokenSize: number;
  crit: readonly string[];
  keyManagementAlgorithms: ReadonlySet<string>;
  contentEncryptionAlgorithms: ReadonlySet<string>;
}

function invalid(message: string): JwtError {
  return new JwtError('ERR_JWE_INVALID', message);
}

/** @internal Strict base64url to bytes, with the JWE error code. */
export function decodePart(segment: string, what: string): Buffer {
  if (!isBase64url(segment)) throw invalid(`${what} is not valid base64url`);
  return Buffer.from(segment, 'base64url');
}

/** @internal A base64url header member (`iv`, `tag`, `apu`, `apv`) as bytes. */
export function decodeMember(header: Record<string, unknown>, name: string): Buffer {
  const value = header[name];
  if (typeof value !== 'string') throw invalid(`the header ${name} must be a base64url string`);
  return decodePart(value, `the header ${name}`);
}

/** @internal Decodes and checks a JWE protected header. */
export function decodeJweHeader(segment: string, understood: readonly string[]): JweHeader {
  const header = parseJsonObject(decodePart(segment, 'the header')) as JweHeader | undefined;
  if (header === undefined) throw invalid('the header is not a JSON object');
  if (typeof header.alg !== 'string') throw invalid('the header has no alg');
  if (typeof header.enc !== 'string') throw invalid('the header has no enc');
  const refused = refusedKeyManagement(header.alg);
  if (refused) throw new JwtError('ERR_JOSE_NOT_SUPPORTED', refused);
  // Compressed plaintext is refused: decompression before authentication has been a bomb in
  // several libraries, and compression next to secrets leaks them (RFC 8725 §3.6).
  if (header.zip !== undefined)
    throw new JwtError('ERR_JOSE_NOT_SUPPORTED', 'compressed plaintext (zip) is refused');
  checkCrit(header, JWE_REGISTERED, understood, 'ERR_JWE_INVALID');
  for (const name of ['kid', 'typ', 'cty'] as const) {
    if (header[name] !== undefined && typeof header[name] !== 'string') {
      throw invalid(`the header ${name} must be a string`);
    }
  }
  return Object.freeze(header);
}

/** @internal Splits a compact JWE, checks its header against the allow-lists and decodes its parts. */
export function parseJwe(token: unknown, options: JweParseOptions): ParsedJwe {
  if (typeof token !== 'string') throw invalid('the token must be a string');
  if (token.length > options.maxTokenSize) throw new JwtError('ERR_JWT_TOO_LARGE', 'the token is too large');
  const parts = token.split('.', 6);
  if (parts.length !== 5) throw invalid('the token is not a compact JWE (five parts)');
  const [headerSegment, keySegment, ivSegment, ciphertextSegment, tagSegment] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  const header = decodeJweHeader(headerSegment, options.crit);
  const km = keyManagementSpec(header.alg);
  if (km === undefined || !options.keyManagementAlgorithms.has(header.alg)) {
    throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'the token key management algorithm is not allowed');
  }
  const enc = contentEncryptionSpec(header.enc);
  if (enc === undefined || !options.contentEncryptionAlgorithms.has(header.enc)) {
    throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'the token content encryption algorithm is not allowed');
  }
  return {
    header,
    km,
    enc,
    aad: Buffer.from(headerSegment, 'ascii'),
    encryptedKey: decodePart(keySegment, 'the encrypted key'),
    iv: decodePart(ivSegment, 'the iv'),
    ciphertext: decodePart(ciphertextSegment, 'the ciphertext'),
    tag: decodePart(tagSegment, 'the tag'),
  };
}
