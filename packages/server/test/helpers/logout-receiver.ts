/**
 * A relying party's check of a logout token (Back-Channel Logout 1.0 §2.6), with jose. The
 * receiver that collects them is @sesame/testkit's `startLogoutReceiver`.
 */
import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';

/** Verifies a logout token as a relying party does (§2.6): the JWKS, the issuer, its client, the typ. */
export async function verifyLogoutToken(
  token: string,
  jwks: { keys: object[] },
  expected: { issuer: string; audience: string; currentDate?: Date },
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(
    token,
    createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]),
    {
      issuer: expected.issuer,
      audience: expected.audience,
      typ: 'logout+jwt',
      currentDate: expected.currentDate,
    },
  );
  return payload;
}
