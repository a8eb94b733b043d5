import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';

/**
 * Detects RSA moduli made by the Infineon generator broken in 2017 (ROCA, CVE-2017-15361): such a
 * modulus is congruent to a power of 65537 modulo every small prime of the generator's primorial,
 * which random moduli almost never are. The public factor of such keys can be recovered, so a
 * signature made with one proves nothing.
 */
const PRIMES = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107,
  109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/** For each prime p, the set of residues 65537^k mod p. */
const SUBGROUPS = PRIMES.map((p) => {
  const members = new Set<number>();
  const g = 65537 % p;
  let x = 1;
  do {
    members.add(x);
    x = (x * g) % p;
  } while (x !== 1);
  return { p: BigInt(p), members };
});

export function hasRocaFingerprint(keyObject: KeyObject): boolean {
  const jwk = keyObject.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string') return false;
  const n = BigInt(`0x${Buffer.from(jwk.n, 'base64url').toString('hex')}`);
  for (const { p, members } of SUBGROUPS) {
    if (!members.has(Number(n % p))) return false;
  }
  return true;
}
