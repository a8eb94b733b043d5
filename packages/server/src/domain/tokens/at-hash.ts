/**
 * `at_hash` (OpenID Connect Core §3.1.3.6): the left half of the hash of the access token's ASCII
 * form, with the hash of the ID token's `alg`, base64url. It is on every code exchange with `openid`,
 * so it is written the cheapest way node:crypto allows (counted with `npm run bench:id-token`'s
 * callgrind harness): one `crypto.hash` call straight to base64url text, then the text cut to the
 * left half. A Hash object and a digest Buffer sliced and encoded again cost about 12,000 more
 * instructions per token, about a third of the whole at_hash.
 */
import { hash } from 'node:crypto';
import { algorithmSpec } from '@sesame/jwt';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Uint8Array(128);
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** The hashes an at_hash is made with, and the bytes of each digest. */
const DIGEST_BYTES: Readonly<Record<string, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * The base64url text of the first `bytes` bytes of the data that `text` (the unpadded base64url of
 * a longer digest) encodes. Each character carries 6 bits: the whole ones are kept, and a last one
 * that straddles the cut keeps only its bits before the cut (the rest zero, as the encoder of those
 * bytes alone writes them).
 */
function leftBytes(text: string, bytes: number): string {
  const bits = bytes * 8;
  const whole = Math.floor(bits / 6);
  const spare = bits % 6;
  if (spare === 0) return text.slice(0, whole);
  const mask = ((1 << spare) - 1) << (6 - spare);
  return text.slice(0, whole) + ALPHABET[VALUE[text.charCodeAt(whole)]! & mask];
}

/**
 * The `at_hash` of `accessToken` for an ID token signed with `alg`. EdDSA names no hash; over
 * Ed25519 it is SHA-512 (the curve's own hash), as OpenID libraries check it.
 *
 * @example atHash(accessToken, 'ES256') // 22 characters: 128 bits of SHA-256
 */
export function atHash(accessToken: string, alg: string, curve?: string): string {
  const name = algorithmSpec(alg)?.hash ?? (alg === 'EdDSA' && curve === 'Ed25519' ? 'sha512' : undefined);
  const bytes = name === undefined ? undefined : DIGEST_BYTES[name];
  if (bytes === undefined) throw new Error(`no at_hash is defined for ${alg}${curve ? ` (${curve})` : ''}`);
  // A string is hashed as its UTF-8 bytes: an access token (compact JWS or JWE, base64url and dots)
  // is ASCII, so these are its ASCII octets.
  return leftBytes(hash(name!, accessToken, 'base64url') as string, bytes / 2);
}
