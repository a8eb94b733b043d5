/**
 * PKCE (RFC 7636) with the S256 method only: RFC 9700 §2.1.1 "SHOULD use S256", and `plain` gives
 * no protection when the authorization request itself leaks, so Sesame refuses it for every client.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))) is 43 characters without padding. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * True when the text can be an S256 code_challenge.
 *
 * @example isS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM') // true
 */
export function isS256Challenge(challenge: string): boolean {
  return CHALLENGE.test(challenge);
}

/**
 * RFC 7636 §4.6: the server hashes the verifier and compares it with the stored challenge, here in
 * constant time. A verifier outside the RFC's alphabet or length never matches.
 *
 * @example verifyS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM') // true
 */
export function verifyS256(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier) || !CHALLENGE.test(challenge)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  return timingSafeEqual(computed, Buffer.from(challenge));
}
