import { Buffer } from 'node:buffer';
import { JwtError } from './errors.js';

const ALPHABET = /^[A-Za-z0-9_-]*$/;
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  VALUES['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;
}

/**
 * Encodes bytes or a UTF-8 string as base64url without padding (RFC 7515 §2).
 *
 * @example base64urlEncode('{"alg":"HS256"}') // 'eyJhbGciOiJIUzI1NiJ9'
 */
export function base64urlEncode(input: Uint8Array | string): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input)).toString('base64url');
}

/** True when `input` is canonical unpadded base64url: alphabet only, no padding, zero trailing bits. */
export function isBase64url(input: string): boolean {
  if (!ALPHABET.test(input)) return false;
  const rest = input.length & 3;
  if (rest === 1) return false;
  if (rest === 0) return true;
  // The last character carries 4 (rest 2) or 2 (rest 3) bits that encode nothing: they must be
  // zero, or one byte string would have several encodings (a signature malleability source).
  const last = VALUES[input.charCodeAt(input.length - 1)]!;
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Decodes strict base64url (RFC 7515 §2, RFC 4648 §5 without padding). Padding, white space,
 * characters outside the alphabet and non-zero trailing bits are errors, not ignored.
 *
 * @example base64urlDecode('AQAB') // <Buffer 01 00 01>
 */
export function base64urlDecode(input: string, what = 'value'): Buffer {
  if (typeof input === 'string') {
    // Node's decoder is lenient (it skips foreign characters and accepts padding, '+', '/' and
    // non-zero trailing bits), but its encoder writes the one canonical form: the input was
    // canonical exactly when re-encoding the bytes gives it back. Cheaper than a regex pass.
    const bytes = Buffer.from(input, 'base64url');
    if (bytes.toString('base64url') === input) return bytes;
  }
  throw new JwtError('ERR_JWS_INVALID', `${what} is not valid base64url`);
}
