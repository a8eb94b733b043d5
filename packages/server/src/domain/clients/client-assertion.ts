/**
 * Client authentication by signed assertion: `private_key_jwt` (RFC 7523 §2.2 and §3, OpenID
 * Connect Core §9). The client signs a short JWT about itself with its private key; the server
 * checks it with the public keys the client registered (client-keys.ts) and remembers its `jti`
 * until it expires, so each assertion authenticates one request.
 *
 * `client_secret_jwt` is not offered: it is an HMAC keyed by the client secret, and Sesame keeps
 * only the secret's SHA-256 (secret.ts), from which no HMAC can be checked. Storing secrets
 * recoverably would turn one read of the database into every client's credential; a client that
 * wants no shared secret on the wire uses private_key_jwt, which needs no secret on the server at all.
 */
import { createHash } from 'node:crypto';
import { type Algorithm, decode, JwtError, type JwtPayload, verifyAsync } from '@sesame/jwt';
import type { Client, Store } from '../../store/types.js';
import type { ClientKeySets } from './client-keys.js';

/** RFC 7523 §2.2: the one value of `client_assertion_type` for a JWT assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * The algorithms a private_key_jwt assertion may be signed with: asymmetric only (RFC 8725 §3.1:
 * an explicit list; never `none`, never an HMAC, so a public key can never serve as an HMAC secret).
 */
export const ASSERTION_ALGORITHMS: readonly Algorithm[] = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
]);

/** Leeway for `exp`, `nbf` and `iat` against clocks a little apart. */
const CLOCK_TOLERANCE_S = 30;

export type ClientAssertionErrorCode =
  /** Malformed, badly signed, or a claim is wrong, missing or out of bounds. */
  | 'ERR_ASSERTION_INVALID'
  /** Its `jti` was used before (RFC 7523 §3 item 7). */
  | 'ERR_ASSERTION_REPLAYED'
  /** The client's key set could not be fetched or holds no usable key. */
  | 'ERR_ASSERTION_KEYS_UNAVAILABLE';

/**
 * A refused assertion; the message says which rule, never the assertion.
 *
 * @example if (error instanceof ClientAssertionError) throw invalidClient(error.message);
 */
export class ClientAssertionError extends Error {
  override readonly name = 'ClientAssertionError';
  readonly code: ClientAssertionErrorCode;
  constructor(code: ClientAssertionErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface ClientAssertions {
  /**
   * The `iss` an assertion claims, read before anything is verified, only to find the client whose
   * keys will verify it. Throws ERR_ASSERTION_INVALID when it cannot be read.
   */
  claimedClient(assertion: string): string;
  /**
   * Verifies `assertion` as `client`'s, for a request to `endpoint` (an absolute URL), and spends its
   * `jti`. Throws ClientAssertionError.
   */
  verify(client: Client, assertion: string, endpoint: string): Promise<void>;
}

export interface ClientAssertionOptions {
  store: Pick<Store, 'markUsedOnce'>;
  keySets: Pick<ClientKeySets, 'of'>;
  issuer: string;
  /** The token endpoint's URL (an `aud` every endpoint accepts, as OpenID Connect Core §9 says). */
  tokenEndpoint: string;
  /** Refuse an assertion whose `exp` is further away than this (config `clientAssertionMaxLifetime`). */
  maxLifetimeMs: number;
  now: () => number;
}

const invalid = (message: string) => new ClientAssertionError('ERR_ASSERTION_INVALID', message);

/** What @sesame/jwt said, in a client's words (no token content: codes are enough). */
function explain(error: JwtError): ClientAssertionError {
  if (error.code === 'ERR_JWKS_TIMEOUT' || error.code === 'ERR_JWKS_FETCH')
    return new ClientAssertionError(
      'ERR_ASSERTION_KEYS_UNAVAILABLE',
      "the client's key set could not be fetched",
    );
  const messages: Partial<Record<JwtError['code'], string>> = {
    ERR_JWT_EXPIRED: 'the client assertion has expired',
    ERR_JWT_NOT_YET_VALID: 'the client assertion is not valid yet',
    ERR_JWT_AUDIENCE: 'the client assertion is not for this server (aud)',
    ERR_JWT_ISSUER: 'the client assertion iss must be the client_id',
    ERR_JWS_SIGNATURE: "the client assertion's signature does not verify with the client's keys",
    ERR_JWKS_NO_MATCH: "no key of the client's key set matches the client assertion",
    ERR_JWKS_MULTIPLE_MATCHES: "the client assertion's signature does not verify with the client's keys",
    ERR_JOSE_ALG_NOT_ALLOWED: `the client assertion alg must be one of ${ASSERTION_ALGORITHMS.join(', ')} and match the key`,
  };
  const claim = error.claim === undefined ? '' : ` (${error.claim})`;
  return invalid(messages[error.code] ?? `the client assertion is malformed or a claim is wrong${claim}`);
}

/**
 * @example
 * const assertions = createClientAssertions({ store, keySets, issuer, tokenEndpoint, maxLifetimeMs: 300_000, now });
 * await assertions.verify(client, params.client_assertion, `${issuer}/oauth/token`);
 */
export function createClientAssertions(options: ClientAssertionOptions): ClientAssertions {
  const { store, keySets, issuer, tokenEndpoint, maxLifetimeMs, now } = options;
  return Object.freeze({
    claimedClient(assertion: string) {
      let payload: JwtPayload;
      try {
        ({ payload } = decode(assertion));
      } catch {
        throw invalid('the client assertion is not a JWT');
      }
      if (typeof payload.iss !== 'string' || payload.iss === '')
        throw invalid('the client assertion has no iss');
      return payload.iss;
    },
    async verify(client: Client, assertion: string, endpoint: string) {
      const keys = keySets.of(client);
      if (keys === undefined)
        throw new ClientAssertionError('ERR_ASSERTION_KEYS_UNAVAILABLE', 'the client has registered no keys');
      // RFC 7523 §3 item 3; OpenID Connect Core §9: the token endpoint's URL, or the issuer
      // (RFC 7523 §3, and the clarification of OpenID Connect and FAPI 2.0 after the audience
      // injection findings); the URL of the endpoint being called is accepted too.
      const audiences = [...new Set([issuer, tokenEndpoint, endpoint])];
      let payload: JwtPayload;
      try {
        ({ payload } = await verifyAsync(assertion, keys, {
          algorithms: [...ASSERTION_ALGORITHMS],
          // RFC 7523 §3 items 1, 2: iss and sub are the client_id.
          issuer: client.clientId,
          subject: client.clientId,
          audience: audiences,
          // Items 4 and 7: exp is required; jti is required here, as OpenID Connect Core §9 does.
          requiredClaims: ['exp', 'jti'],
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: () => new Date(now()),
        }));
      } catch (error) {
        if (error instanceof JwtError) throw explain(error);
        throw error;
      }
      // An assertion made out to several audiences could have been presented to another server
      // first and replayed here (the audience injection attack): one audience only.
      if (Array.isArray(payload.aud) && payload.aud.length !== 1)
        throw invalid('the client assertion must name one audience (aud)');
      const exp = payload.exp as number;
      // Item 4, bounded: a long-lived assertion is a bearer credential under another name.
      if (exp * 1000 - now() > maxLifetimeMs)
        throw invalid(`the client assertion's exp is more than ${Math.round(maxLifetimeMs / 1000)} s away`);
      const jti = payload.jti as string;
      if (jti === '' || jti.length > 512)
        throw invalid('the client assertion jti must be 1 to 512 characters');
      // Item 7: single use until it expires. The store's set-if-absent is atomic (SQL, Redis SET NX).
      const marker = createHash('sha256').update(`${client.clientId}\0${jti}`).digest('base64url');
      const first = await store.markUsedOnce(
        `client-assertion:${marker}`,
        exp * 1000 + CLOCK_TOLERANCE_S * 1000,
        now(),
      );
      if (!first)
        throw new ClientAssertionError(
          'ERR_ASSERTION_REPLAYED',
          'the client assertion was used before (jti)',
        );
    },
  });
}
