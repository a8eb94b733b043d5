import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derSignature } from '../src/lib/ecdsa-der.js';

/**
 * derSignature: JOSE's raw r || s as the DER that OpenSSL verifies, in place of node's own
 * `dsaEncoding: 'ieee-p1363'` conversion. Checked against an encoder written from X.690 with
 * BigInt, and against node's conversion by verifying the same signatures both ways.
 */

/** DER of a non-negative INTEGER: minimal big-endian two's complement (X.690 §8.3). */
function derInteger(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  } while (rest > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
}

function expectedDer(raw: Uint8Array): number[] {
  const half = raw.length / 2;
  const big = (part: Uint8Array) => BigInt(`0x${Buffer.from(part).toString('hex') || '0'}`);
  const content = [...derInteger(big(raw.subarray(0, half))), ...derInteger(big(raw.subarray(half)))];
  const length = content.length > 0x7f ? [0x81, content.length] : [content.length];
  return [0x30, ...length, ...content];
}

const CURVES = [
  { alg: 'ES256', curve: 'P-256', hash: 'sha256', half: 32 },
  { alg: 'ES384', curve: 'P-384', hash: 'sha384', half: 48 },
  { alg: 'ES512', curve: 'P-521', hash: 'sha512', half: 66 },
] as const;

describe('derSignature', () => {
  it.each(CURVES)(
    '$alg: encodes edge values as X.690 does (zeros dropped, a zero before a high bit)',
    ({ half }) => {
      const cases: Uint8Array[] = [];
      const make = (r: number[], s: number[]) => {
        const raw = new Uint8Array(2 * half);
        raw.set(r, half - r.length);
        raw.set(s, 2 * half - s.length);
        return raw;
      };
      cases.push(make([], [])); // r = s = 0
      cases.push(make([1], [0x80])); // one byte each; s needs a zero before it
      cases.push(make([0x7f, 0xff], [0x00, 0x80, 0x01])); // leading zeros, high bit after them
      cases.push(new Uint8Array(2 * half).fill(0xff)); // every bit set: the longest encoding
      cases.push(new Uint8Array(2 * half).fill(0x7f));
      for (let i = 0; i < 200; i++)
        cases.push(Uint8Array.from({ length: 2 * half }, () => (Math.random() * 256) | 0));
      for (const raw of cases) expect([...derSignature(raw)]).toEqual(expectedDer(raw));
    },
  );

  it.each(CURVES)(
    '$alg: verifies exactly what node verifies from ieee-p1363, signatures with leading zeros included',
    ({ curve, hash, half }) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const message = Buffer.from('a DPoP proof');
      const other = Buffer.from('another proof');
      // Signatures until r and s have each started with a zero byte or a set high bit (both are
      // common: one in two starts with a high bit, one in 256 with a zero; P-521's first byte is 0 or 1).
      const seen = { rZero: false, sZero: false, rHigh: false, sHigh: false };
      // P-521's r and s never start with a high bit (66 bytes hold 521 bits).
      const wanted = { rZero: true, sZero: true, rHigh: half !== 66, sHigh: half !== 66 };
      const done = () => Object.entries(wanted).every(([name, want]) => !want || seen[name as 'rZero']);
      for (let i = 0; i < 5000 && !done(); i++) {
        const raw = sign(hash, message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        seen.rZero ||= raw[0] === 0 && raw[1]! < 0x80;
        seen.sZero ||= raw[half] === 0 && raw[half + 1]! < 0x80;
        seen.rHigh ||= raw[0]! >= 0x80;
        seen.sHigh ||= raw[half]! >= 0x80;
        const p1363 = { key: publicKey, dsaEncoding: 'ieee-p1363' } as const;
        expect(verify(hash, message, publicKey, derSignature(raw))).toBe(true);
        expect(verify(hash, other, publicKey, derSignature(raw))).toBe(verify(hash, other, p1363, raw));
        const flipped = Buffer.from(raw);
        flipped[half - 1]! ^= 1;
        expect(verify(hash, message, publicKey, derSignature(flipped))).toBe(false);
        expect(verify(hash, message, p1363, flipped)).toBe(false);
      }
      // P-521's r and s never start with a high bit (66 bytes hold 521 bits).
      expect(seen).toEqual({ rZero: true, sZero: true, rHigh: half !== 66, sHigh: half !== 66 });
    },
  );
});
