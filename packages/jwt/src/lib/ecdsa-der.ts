import { Buffer } from 'node:buffer';

/**
 * @internal JOSE's ECDSA signature, the raw r || s of RFC 7518 §3.4, as the DER `ECDSA-Sig-Value`
 * OpenSSL verifies (RFC 3279 §2.2.3: a SEQUENCE of two INTEGERs). Node does the same conversion in
 * C++ when told `dsaEncoding: 'ieee-p1363'`, through OpenSSL's BIGNUM and ASN.1 writers, which cost
 * more per verification than these few bytes (bench:dpop). Each INTEGER is minimal: leading zero
 * bytes dropped (one kept for zero), a zero byte put back before a set high bit (DER integers are
 * signed). The caller has checked the length is the algorithm's (two halves of the curve's size).
 *
 * @example derSignature(Buffer.alloc(64, 1)) // <Buffer 30 44 02 20 01 01 … 02 20 01 01 …>
 */
export function derSignature(raw: Uint8Array): Buffer {
  const half = raw.length >> 1;
  let r = 0;
  while (r < half - 1 && raw[r] === 0) r++;
  let s = half;
  while (s < raw.length - 1 && raw[s] === 0) s++;
  const rPad = raw[r]! & 0x80 ? 1 : 0;
  const sPad = raw[s]! & 0x80 ? 1 : 0;
  const rLength = half - r + rPad;
  const sLength = raw.length - s + sPad;
  const content = 4 + rLength + sLength;
  // P-521's signature can exceed 127 content bytes: the long form of the length, one byte (0x81).
  const long = content > 0x7f ? 1 : 0;
  const der = Buffer.allocUnsafe(2 + long + content);
  let at = 0;
  der[at++] = 0x30;
  if (long) der[at++] = 0x81;
  der[at++] = content;
  der[at++] = 0x02;
  der[at++] = rLength;
  if (rPad) der[at++] = 0;
  der.set(raw.subarray(r, half), at);
  at += half - r;
  der[at++] = 0x02;
  der[at++] = sLength;
  if (sPad) der[at++] = 0;
  der.set(raw.subarray(s), at);
  return der;
}
