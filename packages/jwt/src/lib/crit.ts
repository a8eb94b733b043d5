/**
 * The `crit` header parameter (RFC 7515 §4.1.11, RFC 7516 §4.1.13), checked the same way for JWS
 * and JWE: a non-empty list of names, none of them registered by the specifications, each present
 * in the header, each understood by the caller.
 */
import { JwtError, type JwtErrorCode } from '../errors.js';

/** Header parameters registered for JWS (RFC 7515 §4.1): `crit` must never list them. */
export const JWS_REGISTERED: ReadonlySet<string> = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
]);

/** Header parameters registered for JWE (RFC 7516 §4.1, RFC 7518 §4): the JWS ones and these. */
export const JWE_REGISTERED: ReadonlySet<string> = new Set([
  ...JWS_REGISTERED,
  'enc',
  'zip',
  'epk',
  'apu',
  'apv',
  'iv',
  'tag',
  'p2s',
  'p2c',
]);

/** Throws unless the header's `crit` (when present) is well formed and understood. */
export function checkCrit(
  header: Record<string, unknown>,
  registered: ReadonlySet<string>,
  understood: readonly string[],
  invalid: JwtErrorCode,
): void {
  if (header.crit === undefined) return;
  const crit = header.crit;
  if (!Array.isArray(crit) || crit.length === 0) throw new JwtError(invalid, 'crit must be a list');
  for (const name of crit) {
    if (typeof name !== 'string' || registered.has(name) || !(name in header)) {
      throw new JwtError(invalid, 'crit lists an invalid parameter');
    }
    if (!understood.includes(name)) {
      throw new JwtError('ERR_JOSE_NOT_SUPPORTED', 'crit lists a parameter that is not understood');
    }
  }
}
