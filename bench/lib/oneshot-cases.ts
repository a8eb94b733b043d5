/**
 * The pairs `npm run bench:oneshot` times: for one algorithm, the one-shot call as most users write
 * it, with the options as an object literal in the call (a new object and a new `algorithms` array
 * every time, as with jsonwebtoken), beside the prebuilt function from `createVerifier` /
 * `createSigner` doing the same work. `sign` and `verify` take a `Key` (PEM, JWK, DER, KeyObject and
 * raw secrets all become one through `importKey`, once) or, for `verify`, a key set made from a
 * JWKS: those are the key forms measured.
 */
import type { KeyObject } from 'node:crypto';
import * as sesame from '@sesame/jwt';
import type { KeyMaterial } from '../keys.js';
import { CLAIMS } from '../scenario.js';

export type KeyForm = 'Key' | 'key set (JWKS)';

export interface OneShotPair {
  alg: sesame.Algorithm;
  op: 'sign' | 'verify';
  form: KeyForm;
  prebuilt: () => unknown;
  oneShot: () => unknown;
}

const LIFETIME_SECONDS = 900;
const KID = 'bench-1';

/** A one-key JWKS holding the verifying half (or the secret), with a kid the tokens carry. */
function keySetOf(verifyKey: KeyObject, alg: sesame.Algorithm): sesame.KeySet {
  const key = sesame.importKey(verifyKey, alg, { kid: KID });
  const jwk = sesame.exportJWK(key, { private: key.type === 'secret' });
  return sesame.createLocalKeySet({ keys: [{ ...jwk, alg, use: 'sig' }] });
}

/**
 * The pairs for one algorithm. Before returning them it proves both sides do the same work: each
 * verifies the other's tokens, and both refuse a token for another audience.
 */
export function oneShotPairs(keys: KeyMaterial): OneShotPair[] {
  const { alg } = keys;
  const { issuer, audience, payload } = CLAIMS;
  const signKey = sesame.importKey(keys.signKey, alg, { kid: KID });
  const verifyKey = sesame.importKey(keys.verifyKey, alg, { kid: KID });
  const keySet = keySetOf(keys.verifyKey, alg);

  const signer = sesame.createSigner({ key: signKey, issuer, audience, expiresIn: LIFETIME_SECONDS });
  const oneShotSign = () => sesame.sign(payload, signKey, { issuer, audience, expiresIn: LIFETIME_SECONDS });
  const token = signer(payload);
  const other = sesame.sign(payload, signKey, {
    issuer,
    audience: 'https://other.example.com',
    expiresIn: 60,
  });

  const pairs: OneShotPair[] = [
    { alg, op: 'sign', form: 'Key', prebuilt: () => signer(payload), oneShot: oneShotSign },
  ];
  for (const [form, key] of [
    ['Key', verifyKey],
    ['key set (JWKS)', keySet],
  ] as const) {
    const verifier = sesame.createVerifier({ key, algorithms: [alg], issuer, audience });
    const oneShot = (jwt: string) => sesame.verify(jwt, key, { algorithms: [alg], issuer, audience }).payload;
    for (const jwt of [token, oneShotSign()]) {
      if (verifier(jwt).payload.sub !== payload.sub || oneShot(jwt).sub !== payload.sub) {
        throw new Error(`${alg} ${form}: a verifier refused a good token`);
      }
    }
    for (const check of [() => verifier(other), () => oneShot(other)]) {
      let refused = false;
      try {
        check();
      } catch (error) {
        refused = (error as sesame.JwtError).code === 'ERR_JWT_AUDIENCE';
      }
      if (!refused) throw new Error(`${alg} ${form}: a verifier accepted another audience`);
    }
    pairs.push({
      alg,
      op: 'verify',
      form,
      prebuilt: () => verifier(token).payload,
      oneShot: () => oneShot(token),
    });
  }
  return pairs;
}
