/**
 * One scenario for every contender: the same claims set to sign, the same header ({alg, typ: "JWT"}),
 * a 15-minute lifetime, and on verification the same checks — the signature under a one-algorithm
 * allow-list, `exp`, `iss` and `aud`. Each library is used the fastest way its documentation allows:
 * keys imported once, signers and verifiers built once where the library has such a thing.
 */
import * as sesame from '@sesame/jwt';
import { createSigner as fastSigner, createVerifier as fastVerifier } from 'fast-jwt';
import * as jose from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { floor } from './floor.js';
import type { KeyMaterial } from './keys.js';

export interface Claims {
  issuer: string;
  audience: string;
  /** What the caller puts in the token; the libraries add iss, aud, iat and exp. */
  payload: Record<string, unknown>;
}

export const CLAIMS: Claims = {
  issuer: 'https://id.example.com',
  audience: 'https://api.example.com',
  payload: { sub: 'user-4f1c2a', scope: 'quiz:read quiz:write', sid: '8c1d5e0a-3b7f-4c2e-9a61-d2f0b7e4a913' },
};

export type Contender = {
  name: 'sesame' | 'fast-jwt' | 'jose' | 'jsonwebtoken' | 'floor';
  /** True when sign and verify return promises, which the benchmark must await. */
  async?: boolean;
  sign: (payload: Record<string, unknown>) => string | Promise<string>;
  /** Returns the claims on success and throws on any failure. */
  verify: (token: string) => unknown;
};

const LIFETIME_SECONDS = 900;

export const CONTENDER_NAMES = ['sesame', 'fast-jwt', 'jose', 'jsonwebtoken', 'floor'] as const;

/** Every contender for one algorithm. jsonwebtoken has no EdDSA, so it is absent there. */
export function contenders(keys: KeyMaterial, claims: Claims = CLAIMS): Contender[] {
  const { alg } = keys;
  const { issuer, audience } = claims;
  const list: Contender[] = [];

  // @sesame/jwt: createSigner / createVerifier, keys imported once with importKey.
  const sesameSignKey = sesame.importKey(keys.signKey, alg);
  const sesameVerifyKey = sesame.importKey(keys.verifyKey, alg);
  const sesameVerify = sesame.createVerifier({ key: sesameVerifyKey, algorithms: [alg], issuer, audience });
  list.push({
    name: 'sesame',
    sign: sesame.createSigner({ key: sesameSignKey, issuer, audience, expiresIn: LIFETIME_SECONDS }),
    verify: (token) => sesameVerify(token).payload,
  });

  // fast-jwt: createSigner / createVerifier with the key; its token cache stays off (the default),
  // or it would return a remembered result instead of verifying. allowedIss/allowedAud only check a
  // claim that is present, so requiredClaims makes them required, as they are for the others.
  list.push({
    name: 'fast-jwt',
    sign: fastSigner({
      key: keys.signPem,
      algorithm: alg,
      iss: issuer,
      aud: audience,
      expiresIn: LIFETIME_SECONDS * 1000,
    }),
    verify: fastVerifier({
      key: keys.verifyPem,
      algorithms: [alg],
      allowedIss: issuer,
      allowedAud: audience,
      requiredClaims: ['iss', 'aud'],
      cache: false,
    }),
  });

  // jose: only asynchronous signing and verification exist; CryptoKeys imported once.
  const joseSignKey = keys.joseSignKey;
  const joseVerifyKey = keys.joseVerifyKey;
  list.push({
    name: 'jose',
    async: true,
    sign: (payload) =>
      new jose.SignJWT(payload)
        .setProtectedHeader({ alg, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${LIFETIME_SECONDS}s`)
        .sign(joseSignKey),
    verify: async (token) =>
      (await jose.jwtVerify(token, joseVerifyKey, { algorithms: [alg], issuer, audience })).payload,
  });

  // jsonwebtoken: the synchronous forms, with KeyObjects. It does not implement EdDSA.
  if (alg !== 'EdDSA') {
    const signOptions: jsonwebtoken.SignOptions = {
      algorithm: alg,
      issuer,
      audience,
      expiresIn: LIFETIME_SECONDS,
    };
    const verifyOptions: jsonwebtoken.VerifyOptions = { algorithms: [alg], issuer, audience };
    list.push({
      name: 'jsonwebtoken',
      sign: (payload) => jsonwebtoken.sign(payload, keys.signKey, signOptions),
      verify: (token) => jsonwebtoken.verify(token, keys.verifyKey, verifyOptions),
    });
  }

  list.push(floor(keys, claims));
  return list;
}
