import { expectAccepted, expectRejected, login } from '../lib/deployment.js';
import { b64u, hmac, parts, segment } from '../lib/jose.js';
import { inBatches } from '../lib/report.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'alg none, stripped and truncated signatures';

/** "none" in every capitalisation: 2^4 spellings (RFC 8725 §2.1, §3.1: never honour "none"). */
function noneSpellings(): string[] {
  const spellings: string[] = [];
  for (let mask = 0; mask < 16; mask++) {
    spellings.push(
      [...'none'].map((letter, i) => (mask & (1 << i) ? letter.toUpperCase() : letter)).join(''),
    );
  }
  return spellings;
}

/**
 * Unsigned tokens and mangled signatures on a genuine token's claims: `alg: none` (every
 * capitalisation, with an empty, the original, and an HMAC-with-empty-key signature), then the
 * genuine token with its signature stripped, truncated, padded, bit-flipped, or its parts miscounted.
 */
export async function signatureAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const genuine = (await login(main)).access_token;
  if (!(await expectAccepted(report, main, CATEGORY, 'the genuine access token', genuine))) return;
  const { header, h, p, s } = parts(genuine);

  const cases: Array<[string, string]> = [];
  for (const alg of noneSpellings()) {
    const withNone = segment({ ...header, alg });
    cases.push([`alg "${alg}", empty signature`, `${withNone}.${p}.`]);
    cases.push([`alg "${alg}", the original signature kept`, `${withNone}.${p}.${s}`]);
    cases.push([`alg "${alg}", header of alg only`, `${segment({ alg })}.${p}.`]);
  }
  cases.push([
    'alg "none", signature = HMAC with an empty key',
    `${segment({ ...header, alg: 'none' })}.${p}.${hmac(`${segment({ ...header, alg: 'none' })}.${p}`, '')}`,
  ]);
  cases.push(['alg "" (empty string)', `${segment({ ...header, alg: '' })}.${p}.`]);
  cases.push(['alg missing', `${segment({ typ: header.typ, kid: header.kid })}.${p}.`]);
  cases.push(['alg null', `${segment({ ...header, alg: null })}.${p}.`]);
  cases.push(['alg ["ES256"] (an array)', `${segment({ ...header, alg: ['ES256'] })}.${p}.${s}`]);
  cases.push(['alg "ES256 " (trailing space)', `${segment({ ...header, alg: 'ES256 ' })}.${p}.${s}`]);
  cases.push(['alg "es256" (lower case)', `${segment({ ...header, alg: 'es256' })}.${p}.${s}`]);

  const sig = Buffer.from(s, 'base64url');
  const flipped = Buffer.from(sig);
  flipped[10]! ^= 0x01;
  cases.push(
    ['signature stripped (h.p.)', `${h}.${p}.`],
    ['signature stripped, two parts (h.p)', `${h}.${p}`],
    ['signature truncated by one character', `${h}.${p}.${s.slice(0, -1)}`],
    ['signature truncated to half', `${h}.${p}.${s.slice(0, s.length / 2)}`],
    ['signature truncated to 1 byte', `${h}.${p}.${b64u(sig.subarray(0, 1))}`],
    ['signature with one bit flipped', `${h}.${p}.${b64u(flipped)}`],
    ['signature with a byte appended', `${h}.${p}.${b64u(Buffer.concat([sig, Buffer.from([0])]))}`],
    ['signature with "=" padding appended', `${h}.${p}.${s}=`],
    ['signature of zero bytes', `${h}.${p}.${b64u(Buffer.alloc(sig.length))}`],
    ['signature of another token (the header swapped)', `${segment({ ...header, kid: 'x' })}.${p}.${s}`],
    ['four parts (h.p.s.s)', `${h}.${p}.${s}.${s}`],
    ['five parts, JWE-shaped', `${h}.${p}.${s}.${s}.${s}`],
    ['header segment empty', `.${p}.${s}`],
    ['payload segment empty', `${h}..${s}`],
    ['everything empty (..)', '..'],
    ['a single dot', '.'],
  );
  // Only when it differs: a signature without + or / is the same text in both alphabets.
  const standard = sig.toString('base64').replace(/=+$/, '');
  if (standard !== s) cases.push(['signature as standard base64 (+ and /)', `${h}.${p}.${standard}`]);

  await inBatches(cases, 8, ([name, token]) => expectRejected(report, main, CATEGORY, name, token));
}
