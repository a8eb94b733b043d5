/**
 * RS256 signing keys made once per test process and put in each test app's store before it is
 * built. A fresh store makes a current and a next RS256 key (OpenID Connect Discovery §3 makes
 * RS256 an ID token algorithm whatever else signs), and a 2048-bit RSA key takes 0.2–1 s of CPU to
 * generate: paid once per process here instead of twice per app. The keyring finds both keys and
 * generates none; its ES256 keys (the access tokens') stay fresh and different for every app.
 */
import { createHash, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { SigningKey, Store } from '@sesame/server';

/** The modulus the keyring uses for RSA keys (domain/keys/generate.ts). */
const MODULUS_BITS = 2048;

type Pair = { publicJwk: JsonWebKey; privateJwk: JsonWebKey; kid: string };

let pairs: Promise<[Pair, Pair]> | undefined;

function rsaPair(): Promise<Pair> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: MODULUS_BITS },
      (error, publicKey: KeyObject, privateKey: KeyObject) => {
        if (error) return reject(error);
        const publicJwk = publicKey.export({ format: 'jwk' });
        // RFC 7638 §3.2: the required members in lexicographic order, as the keyring's kid.
        const canonical = JSON.stringify({ e: publicJwk.e, kty: publicJwk.kty, n: publicJwk.n });
        const kid = createHash('sha256').update(canonical).digest('base64url');
        resolve({ publicJwk, privateJwk: privateKey.export({ format: 'jwk' }), kid });
      },
    ),
  );
}

/**
 * Puts this process's current and next RS256 keys in a fresh store, as the keyring would have
 * made them at `now` (private keys stored as they are: the test store has no master key).
 *
 * @example const store = await openTempStore(); await seedRsaKeys(store, clock.now());
 */
export async function seedRsaKeys(store: Store, now: number): Promise<void> {
  pairs ??= Promise.all([rsaPair(), rsaPair()]);
  const [current, next] = await pairs;
  for (const [pair, state] of [
    [current, 'current'],
    [next, 'next'],
  ] as const) {
    const record: SigningKey = {
      kid: pair.kid,
      alg: 'RS256',
      privateJwk: JSON.stringify({ ...pair.privateJwk, kid: pair.kid, alg: 'RS256' }),
      publicJwk: JSON.stringify({ ...pair.publicJwk, kid: pair.kid, alg: 'RS256', use: 'sig' }),
      state,
      createdAt: now,
      activatedAt: state === 'current' ? now : null,
      retiredAt: null,
      expiresAt: null,
    };
    await store.insertSigningKey(record);
  }
}
