/**
 * Logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.4): the JWT a relying party receives at
 * its `backchannel_logout_uri` when a session it got tokens through has ended. Signed like ID
 * tokens (§2.4: "The same keys are used to sign ... Logout Tokens as are used for ID Tokens"):
 * the keyring's current key of the client's `id_token_signed_response_alg` (the configured
 * algorithm, or RS256), published in the JWKS; header `typ: logout+jwt` (§2.4, RFC 8725
 * §3.11), so a logout token is never taken for an ID token or an access token.
 *
 * Claims: iss, aud (the one client), iat, exp (two minutes: it is delivered at once, and a retry
 * gets a new one), jti, sub (the user), sid (the browser session, as in the ID tokens), and the
 * `events` member naming the back-channel logout event. Never a `nonce` (§2.4: "MUST NOT contain a
 * nonce Claim", so it cannot be replayed as an ID token).
 *
 * No logout token in HMAC mode, as no ID token: a shared secret would let every resource server
 * forge one.
 */
import { randomUUID } from 'node:crypto';
import type { SesameConfig } from '../../config/config.js';
import type { Keyring } from '../keys/keyring.js';
import { signersFor } from './signers.js';

/** The event a logout token carries (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How long a logout token is valid: it is sent at once (§2.4 recommends at most two minutes). */
export const LOGOUT_TOKEN_LIFE_SECONDS = 120;

export interface LogoutTokens {
  /** False in HMAC mode: no logout token is signed, no back-channel logout is advertised. */
  readonly enabled: boolean;
  /**
   * Signs a logout token for one client, with its ID tokens' algorithm (`algorithm`: its
   * `id_token_signed_response_alg`; absent, null or one the keyring lacks: the configured one);
   * throws when `enabled` is false.
   */
  issue(input: { clientId: string; subject: string; sid: string; algorithm?: string | null }): string;
}

/**
 * @example
 * const logoutTokens = createLogoutTokens({ config, keys: keyring, now: Date.now });
 * const token = logoutTokens.issue({ clientId: 'web', subject: user.id, sid });
 */
export function createLogoutTokens(options: {
  config: SesameConfig;
  keys: Pick<Keyring, 'signingKey' | 'algorithms'>;
  now: () => number;
}): LogoutTokens {
  const { config, keys, now } = options;
  const enabled = config.tokenProfile !== 'classic' && config.algorithm !== 'HS256';
  const signerFor = signersFor('logout+jwt');
  return Object.freeze({
    enabled,
    issue({ clientId, subject, sid, algorithm }: Parameters<LogoutTokens['issue']>[0]): string {
      if (!enabled)
        throw new Error('logout tokens are not issued when tokens are signed with a shared secret');
      const iat = Math.floor(now() / 1000);
      // A client registered for an algorithm the server no longer signs with still hears of the
      // logout (under the configured one) rather than not at all: delivery never throws here.
      const alg = algorithm != null && keys.algorithms.includes(algorithm) ? algorithm : undefined;
      return signerFor(keys.signingKey(alg))({
        iss: config.issuer,
        sub: subject,
        aud: clientId,
        iat,
        exp: iat + LOGOUT_TOKEN_LIFE_SECONDS,
        jti: randomUUID(),
        sid,
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      });
    },
  });
}
