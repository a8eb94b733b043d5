/**
 * The Concat KDF of NIST SP 800-56A §5.8.1 as JWE profiles it for ECDH-ES (RFC 7518 §4.6.2), with
 * SHA-256. It is a construction over node:crypto's hash, not a new primitive.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

/** A 32-bit big-endian length followed by the bytes (RFC 7518 §4.6.2 "Datalen || Data"). */
function lengthPrefixed(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + data.length);
  out.writeUInt32BE(data.length, 0);
  data.copy(out, 4);
  return out;
}

/**
 * Derives `keyBytes` bytes from the shared secret Z. AlgorithmID is the `enc` for direct key
 * agreement and the `alg` for key agreement with key wrapping; PartyUInfo and PartyVInfo are the
 * decoded `apu` and `apv` (empty when absent); SuppPubInfo is keydatalen in bits.
 */
export function concatKdf(
  z: Buffer,
  keyBytes: number,
  algorithmId: string,
  apu: Buffer,
  apv: Buffer,
): Buffer {
  const suppPubInfo = Buffer.allocUnsafe(4);
  suppPubInfo.writeUInt32BE(keyBytes * 8, 0);
  const otherInfo = Buffer.concat([
    lengthPrefixed(Buffer.from(algorithmId, 'ascii')),
    lengthPrefixed(apu),
    lengthPrefixed(apv),
    suppPubInfo,
  ]);
  const rounds = Math.ceil(keyBytes / 32);
  const parts: Buffer[] = [];
  const counter = Buffer.allocUnsafe(4);
  for (let round = 1; round <= rounds; round++) {
    counter.writeUInt32BE(round, 0);
    parts.push(createHash('sha256').update(counter).update(z).update(otherInfo).digest());
  }
  return Buffer.concat(parts).subarray(0, keyBytes);
}
