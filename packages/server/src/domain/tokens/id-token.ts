/**
 * OpenID Connect ID tokens (Core 1.0 §2, §3.1.3.6, §12.2): a JWT that tells the client who logged
 * in, signed with the keyring's current key of the client's `id_token_signed_response_alg`
 * (Registration §2; default the configured algorithm, or RS256 — Discovery §3 requires it be
 * offered), published in the JWKS, header `typ: JWT` — never `at+jwt`, so an ID token cannot pass
 * for an access token at a resource server (RFC 9068 §4).
 *
 * Only asymmetric keys sign ID tokens. With HS256 (the classic profile, or algorithm HS256) the key
 * is a secret every resource server holds, so any of them could forge a login for any client, and
 * Core §10.1's other choice, the client's secret, is kept only as a hash here: the server then
 * issues no ID token at all (`enabled` is false) and discovery advertises none.
 */
import type { SesameConfig } from '../../config/config.js';
import { OAuthError } from '../errors.js';
import type { Keyring } from '../keys/keyring.js';
import { atHash } from './at-hash.js';
import { signersFor } from './signers.js';

/** The ID token claims Sesame issues, for discovery's `claims_supported`. */
export const ID_TOKEN_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'azp',
  'amr',
  'acr',
  'sid',
  'at_hash',
] as const;

/**
 * The one authentication context class Sesame meets (Core §2 `acr`): a password typed on the login
 * page, with the login throttle, and nothing more. A URI of Sesame's own rather than Core's "0",
 * which says only "below ISO/IEC 29115 level 1" and is meant for a login by cookie alone; a second
 * factor, when there is one, gets a value of its own beside this one (docs/oidc.md).
 */
export const PASSWORD_ACR = 'urn:sesame:acr:pwd';

/** Who logged in, to which client, and the access token the ID token comes with. */
export interface IdTokenSubject {
  /** The user id (the `sub` of the access token too). */
  subject: string;
  clientId: string;
  /** The access token of the same response: its hash is `at_hash` (Core §3.1.3.6). */
  accessToken: string;
  /** Epoch ms of the password login; `auth_time` is left out when unknown. */
  authTime: number | null;
  /** The authorization request's nonce, exactly; never on refresh (Core §12.2). */
  nonce?: string;
  /**
   * The browser session the user logged in with (its public id, as logout tokens name it), when
   * known. Not the refresh family, which the access token's `sid` names.
   */
  sessionId?: string;
  /** Claims asked for by name (Core §5.5) with the user's values; never one of the above. */
  claims?: Readonly<Record<string, unknown>>;
  /** The client's `id_token_signed_response_alg`; default (absent or null) the configured one. */
  algorithm?: string | null;
}

export interface IdTokens {
  /** False in HMAC mode: no ID token is issued and none is advertised. */
  readonly enabled: boolean;
  /** The algorithm of a client that names none: the configured one (the access tokens'). */
  readonly algorithm: string;
  /**
   * Every algorithm an ID token can be signed with, the configured one first: discovery's
   * `id_token_signing_alg_values_supported` and what a client may register. Empty when disabled.
   */
  readonly algorithms: readonly string[];
  /** Signs an ID token; throws when `enabled` is false, or for an algorithm not in `algorithms`. */
  issue(subject: IdTokenSubject): string;
  /**
   * Signs other claims as ID tokens are signed (header `typ: JWT`, the keyring's key of `alg`):
   * /userinfo's signed answer (Core §5.3.2). Throws OAuthError for an algorithm not in `algorithms`.
   */
  sign(payload: Record<string, unknown>, alg: string): string;
}

/**
 * The ID token issuer over the keyring.
 *
 * @example
 * const idTokens = createIdTokens({ config, keys: keyring, now: Date.now });
 * if (idTokens.enabled) response.id_token = idTokens.issue({ subject, clientId, accessToken, authTime, nonce });
 */
export function createIdTokens(options: {
  config: SesameConfig;
  keys: Pick<Keyring, 'signingKey' | 'algorithms'>;
  now: () => number;
}): IdTokens {
  const { config, keys, now } = options;
  const enabled = config.tokenProfile !== 'classic' && config.algorithm !== 'HS256';
  const algorithms = Object.freeze(enabled ? [...keys.algorithms] : []);
  // The same life as the access token it comes with: the keyring keeps a retired key published
  // that long, so an ID token stays verifiable until it expires.
  const lifeSeconds = Math.floor(config.accessTokenTtl / 1000);
  const signerFor = signersFor('JWT');
  const keyFor = (alg: string, field: string) => {
    // Registration checks the client's choice; one made while the server was configured
    // otherwise is refused here rather than signed with a key the client does not expect.
    if (!algorithms.includes(alg))
      throw new OAuthError(
        'unauthorized_client',
        `the client's ${field} ${alg} is not an algorithm this server signs with; valid: ${algorithms.join(', ') || 'none'}`,
      );
    return keys.signingKey(alg);
  };
  return Object.freeze({
    sign(payload: Record<string, unknown>, alg: string): string {
      return signerFor(keyFor(alg, 'userinfo_signed_response_alg'))(payload);
    },
    enabled,
    algorithm: config.algorithm,
    algorithms,
    issue(subject: IdTokenSubject): string {
      if (!enabled) throw new Error('ID tokens are not issued when tokens are signed with a shared secret');
      const alg = subject.algorithm ?? config.algorithm;
      const key = keyFor(alg, 'id_token_signed_response_alg');
      const iat = Math.floor(now() / 1000);
      const payload: Record<string, unknown> = {
        iss: config.issuer,
        sub: subject.subject,
        // Core §2: the client is the audience; a single string, never another client's id.
        aud: subject.clientId,
        exp: iat + lifeSeconds,
        iat,
      };
      if (subject.authTime !== null) payload.auth_time = Math.floor(subject.authTime / 1000);
      if (subject.nonce !== undefined) payload.nonce = subject.nonce;
      payload.azp = subject.clientId;
      // RFC 8176 §2: every browser session starts with the password form (no second factor yet).
      payload.amr = ['pwd'];
      // Always, on refresh too: every session began with the one class Sesame has.
      payload.acr = PASSWORD_ACR;
      if (subject.sessionId !== undefined) payload.sid = subject.sessionId;
      payload.at_hash = atHash(subject.accessToken, key.alg, key.curve);
      for (const [name, value] of Object.entries(subject.claims ?? {})) {
        if (!Object.hasOwn(payload, name)) payload[name] = value;
      }
      return signerFor(key)(payload);
    },
  });
}
