import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { JwtError, type JwtErrorCode } from '../src/index.js';

/** Runs `fn` and returns the JwtError it throws; fails the test on anything else or on no throw. */
export function errorOf(fn: () => unknown): JwtError {
  try {
    fn();
  } catch (error) {
    if (error instanceof JwtError) return error;
    throw new Error(`expected a JwtError, got ${String(error)}`);
  }
  throw new Error('expected a JwtError, nothing was thrown');
}

/** The async twin of `errorOf`. */
export async function errorOfAsync(fn: () => Promise<unknown>): Promise<JwtError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof JwtError) return error;
    throw new Error(`expected a JwtError, got ${String(error)}`);
  }
  throw new Error('expected a JwtError, nothing was thrown');
}

/** Asserts that `fn` throws a JwtError with `code` (and `claim`, when given). */
export function expectCode(fn: () => unknown, code: JwtErrorCode, claim?: string): JwtError {
  const error = errorOf(fn);
  expect(error.code).toBe(code);
  if (claim !== undefined) expect(error.claim).toBe(claim);
  return error;
}

export async function expectCodeAsync(
  fn: () => Promise<unknown>,
  code: JwtErrorCode,
  claim?: string,
): Promise<JwtError> {
  const error = await errorOfAsync(fn);
  expect(error.code).toBe(code);
  if (claim !== undefined) expect(error.claim).toBe(claim);
  return error;
}

export const b64 = (value: string | Uint8Array): string =>
  (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).toString('base64url');

/** A segment: objects are JSON-encoded, strings are taken as the exact segment text. */
export function segment(value: unknown): string {
  return typeof value === 'string' ? value : b64(JSON.stringify(value));
}

const HASHES = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

/**
 * Builds an HMAC-signed compact token from raw parts, bypassing `sign`: the signature is valid over
 * exactly the given segments, so a refusal can only come from the check under test.
 */
export function hmacToken(
  header: unknown,
  payload: unknown,
  secret: Uint8Array | string,
  alg: keyof typeof HASHES = 'HS256',
): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac(HASHES[alg], secret).update(input, 'latin1').digest('base64url')}`;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The same bytes with non-zero trailing bits: node's lenient decoder reads both the same, a strict
 * one must refuse the second. The segment length must leave unused bits (length % 4 of 2 or 3).
 */
export function nonCanonical(text: string): string {
  const rest = text.length % 4;
  if (rest !== 2 && rest !== 3) throw new Error('this segment has no unused trailing bits');
  const last = ALPHABET.indexOf(text.at(-1)!);
  const changed = text.slice(0, -1) + ALPHABET[last | 1];
  if (!Buffer.from(changed, 'base64url').equals(Buffer.from(text, 'base64url'))) {
    throw new Error('nonCanonical changed the bytes');
  }
  return changed;
}

/** A fixed clock for claim tests: 2023-11-14T22:13:20Z. */
export const NOW = 1_700_000_000;
export const NOW_DATE = new Date(NOW * 1000);
