/**
 * The floor: the bare node:crypto calls plus the base64url and JSON work that any JWT library must
 * pay, with everything that can be prepared once prepared once (the header segment, the crypto
 * option objects). No library can be faster than this and still produce or check a JWT.
 *
 * - sign: JSON.stringify the caller's claims and splice in iss, aud, iat and exp as text (it assumes
 *   the payload does not set them), base64url, the crypto sign call, base64url.
 * - verify: split, base64url-decode the payload and JSON.parse it, the HMAC or verify call and the
 *   constant-time signature comparison. No header decode (a cached header is free) and no claim
 *   checks: that is the margin a library spends on being correct.
 * Where one of two equivalent node:crypto calls is cheaper (a base64url digest compared as text over
 * a Buffer digest and timingSafeEqual; streaming Verify over one-shot verify), the floor uses the
 * cheaper one, so that it stays a floor.
 */
import { Buffer } from 'node:buffer';
import {
  constants,
  createHmac,
  createVerify,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
  type SignKeyObjectInput,
  type VerifyKeyObjectInput,
} from 'node:crypto';
import type { Algorithm } from '@sesame/jwt';
import type { KeyMaterial } from './keys.js';
import type { Claims, Contender } from './scenario.js';

/**
 * The cheapest constant-time MAC comparison measured on node 20: a base64url digest (node returns a
 * string faster than a Buffer) compared character by character without an early exit.
 */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function hashOf(alg: Algorithm): string | null {
  return alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
}

function cryptoOptions<T extends SignKeyObjectInput | VerifyKeyObjectInput>(
  alg: Algorithm,
  key: KeyObject,
): T {
  if (alg.startsWith('PS')) {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 } as T;
  }
  if (alg.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' } as T;
  return { key } as T;
}

export function floor(keys: KeyMaterial, claims: Claims): Contender {
  const { alg } = keys;
  const hash = hashOf(alg);
  const headerSegment = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
  const hmac = alg.startsWith('HS');
  const signOptions = cryptoOptions<SignKeyObjectInput>(alg, keys.signKey);
  const verifyOptions = cryptoOptions<VerifyKeyObjectInput>(alg, keys.verifyKey);
  const secret = keys.signKey;
  const fixedText = `"iss":${JSON.stringify(claims.issuer)},"aud":${JSON.stringify(claims.audience)}`;

  const signature = (input: string): string =>
    hmac
      ? createHmac(hash!, secret).update(input).digest('base64url')
      : cryptoSign(hash, Buffer.from(input), signOptions).toString('base64url');

  return {
    name: 'floor',
    sign: (payload) => {
      const iat = Math.floor(Date.now() / 1000);
      // The caller's members, then the added claims spliced in as text: no merged object is built.
      const body = `${JSON.stringify(payload).slice(0, -1)},${fixedText},"iat":${iat},"exp":${iat + 900}}`;
      const input = `${headerSegment}.${Buffer.from(body).toString('base64url')}`;
      return `${input}.${signature(input)}`;
    },
    verify: (token) => {
      const first = token.indexOf('.');
      const second = token.indexOf('.', first + 1);
      const payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
      const input = token.slice(0, second);
      const segment = token.slice(second + 1);
      let ok: boolean;
      if (hmac) {
        ok = constantTimeEqual(createHmac(hash!, secret).update(input).digest('base64url'), segment);
      } else if (hash === null) {
        ok = cryptoVerify(null, Buffer.from(input), verifyOptions, Buffer.from(segment, 'base64url'));
      } else {
        ok = createVerify(hash).update(input).verify(verifyOptions, Buffer.from(segment, 'base64url'));
      }
      if (!ok) throw new Error('bad signature');
      return payload;
    },
  };
}
