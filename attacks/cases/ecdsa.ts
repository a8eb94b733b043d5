import { expectRejected, login } from '../lib/deployment.js';
import { b64u, int32, P256_N, parts, rawToDer, segment } from '../lib/jose.js';
import { inBatches } from '../lib/report.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'ECDSA signature values and encodings';

/**
 * ES256 signatures whose r or s is 0, 1, n-1 or n (the "psychic signature", CVE-2022-21449: a
 * verifier that skips the 0 < r, s < n range check accepts r = s = 0 for any message and key), and
 * the genuine signature re-encoded in DER, which RFC 7518 §3.4 does not allow (raw r||s only).
 */
export async function ecdsaAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const genuine = (await login(main)).access_token;
  const { header, payload, h, p, s } = parts(genuine);
  const raw = Buffer.from(s, 'base64url');
  const r = raw.subarray(0, 32);
  const sValue = raw.subarray(32);
  const values: Array<[string, bigint]> = [
    ['0', 0n],
    ['1', 1n],
    ['n-1', P256_N - 1n],
    ['n', P256_N],
  ];
  // The escalated claims: an accepted psychic signature must not go unnoticed as a mere replay.
  const escalated = segment({ ...payload, scope: 'openid quiz admin' });

  const cases: Array<[string, string]> = [];
  for (const [name, value] of values) {
    cases.push([`r = ${name}, genuine s`, `${h}.${p}.${b64u(Buffer.concat([int32(value), sValue]))}`]);
    cases.push([`genuine r, s = ${name}`, `${h}.${p}.${b64u(Buffer.concat([r, int32(value)]))}`]);
    cases.push([`r = s = ${name}`, `${h}.${p}.${b64u(Buffer.concat([int32(value), int32(value)]))}`]);
    cases.push([
      `r = s = ${name}, claims escalated`,
      `${h}.${escalated}.${b64u(Buffer.concat([int32(value), int32(value)]))}`,
    ]);
  }
  cases.push(
    [
      'r = 0 and s = 0 as 64 zero bytes, alg ES256 and no kid',
      `${segment({ alg: 'ES256', typ: 'at+jwt' })}.${escalated}.${b64u(Buffer.alloc(64))}`,
    ],
    ['r = n + 1 (above the order)', `${h}.${p}.${b64u(Buffer.concat([int32(P256_N + 1n), sValue]))}`],
    ['the genuine signature in DER', `${h}.${p}.${b64u(rawToDer(raw))}`],
    ['DER of r = s = 0', `${h}.${p}.${b64u(rawToDer(Buffer.alloc(64)))}`],
    [
      'DER of r = s = 0, alg ES256K-style header',
      `${segment({ ...header, alg: 'ES256K' })}.${p}.${b64u(rawToDer(Buffer.alloc(64)))}`,
    ],
    ['raw signature with r and s swapped', `${h}.${p}.${b64u(Buffer.concat([sValue, r]))}`],
    ['raw signature left-padded to 66 bytes', `${h}.${p}.${b64u(Buffer.concat([Buffer.alloc(2), raw]))}`],
    ['r only (32 bytes)', `${h}.${p}.${b64u(r)}`],
  );
  await inBatches(cases, 8, ([name, token]) => expectRejected(report, main, CATEGORY, name, token));
}
