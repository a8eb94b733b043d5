import {
  type Algorithm,
  importKey,
  isJwtError,
  type JwtPayload,
  Key,
  type KeyInput,
  type KeySet,
} from '@sesame/jwt';
import { ProtocolError, RevocationList } from '@sesame/protocol';
import { type GuardError, insufficientScope, invalidToken, unavailable } from './errors.js';
import { accessCredentials, bearerToken } from './lib/bearer.js';
import { createDpopGate, type DpopGate, type DpopRequestContext, type GuardDpopOptions } from './lib/dpop.js';
import { missingScopes, scopeList } from './lib/scopes.js';
import { createTokenVerifier, type TokenVerifier } from './lib/token-verifier.js';
import { type FeedHealth, type RevocationFeed, startRevocationFeed } from './revocation-feed.js';

/** The claims of a verified access token (RFC 9068 §2.2, plus Sesame's and the classic profile's). */
export interface AccessTokenClaims extends JwtPayload {
  iss: string;
  exp: number;
  sub?: string;
  client_id?: string;
  /** Space-separated scopes (RFC 9068 §2.2.3). */
  scope?: string;
  /** The classic profile's scopes. */
  scopes?: string[];
  /** The session (refresh-token family). */
  sid?: string;
  /** RFC 9449 §6.1: the key a DPoP-bound token is bound to. */
  cnf?: { jkt?: string };
  username?: string;
}

export interface RevocationOptions {
  /** The guard's own client at the server (HTTP Basic, RFC 6749 §2.3.1). */
  clientId: string;
  clientSecret: string;
  /** After the feed has been unreachable this long, refuse every token with 503. Default: never. */
  failClosedAfterMs?: number;
  /** The feed URL (default `{issuer}/oauth/revocations`). */
  url?: string | URL;
  /** Called on every change of the feed's health. */
  onHealth?: (health: FeedHealth) => void;
  /** Polling period when the stream is unavailable (default 1000 ms). */
  pollIntervalMs?: number;
  /** Longest wait between reconnection attempts (default 10 s). */
  maxBackoffMs?: number;
}

export interface GuardOptions {
  /** The `iss` every token must carry; also where the metadata is discovered (RFC 8414). */
  issuer: string;
  /** This API's identifier: the token's `aud` must contain one of these. */
  audience: string | readonly string[];
  /** Allowed algorithms (default ['ES256']; the classic profile needs ['HS256']). */
  algorithms?: readonly Algorithm[];
  /** The issuer's JWKS URL, skipping discovery. */
  jwksUri?: string | URL;
  /** A local key or secret instead of a remote key set (imported for `algorithms[0]`). */
  key?: Key | KeySet | KeyInput;
  /** Leeway for exp/nbf/iat in seconds or as a duration ("30s"). Default 0. */
  clockTolerance?: number;
  /**
   * The longest life a token may claim, in seconds: refused when `exp - iat` exceeds it, or when
   * `exp` lies further than this from now (so a token without `iat`, or with a forged one, cannot
   * claim more). Default 24 h, or 30 days when `typ` is false (the classic profile's 7-day tokens);
   * false disables the check. Guards against a token minted with `exp: 1e300` by a leaked key or a
   * misconfigured issuer living forever.
   */
  maxTokenAge?: number | false;
  /** Scopes every request needs. */
  requiredScopes?: string | readonly string[];
  /** Expected header `typ` (default "at+jwt", RFC 9068 §2.1); false skips the check (classic tokens say "JWT"). */
  typ?: string | false;
  /** The RFC 6750 `realm` (default: the first audience). */
  realm?: string;
  revocation?: RevocationOptions;
  fetch?: typeof fetch;
  /** The clock in ms (for tests). */
  now?: () => number;
  /** Verified tokens remembered by their exact text (default 1000; 0 disables). */
  cacheSize?: number;
  /** Least time between two fetches of the key set caused by unknown kids (default 1000 ms). */
  jwksCooldownMs?: number;
  /**
   * Accept DPoP-bound tokens (RFC 9449) with a proof per request; the adapters pass the request.
   * Without it, a DPoP-bound token is refused (it is never accepted as Bearer).
   */
  dpop?: GuardDpopOptions;
}

export interface AuthenticateOptions {
  /** Scopes this route needs, beyond `requiredScopes`. */
  scopes?: string | readonly string[];
  /** The request, for a DPoP proof (method, URL, DPoP header); the adapters pass it. */
  request?: DpopRequestContext;
}

/** A configured guard. */
export interface Guard {
  /**
   * Verifies the bearer token of an Authorization header value and returns its claims, or rejects
   * with a GuardError (RFC 6750 §3) to be turned into the response.
   */
  authenticate(
    authorization: string | readonly string[] | undefined,
    options?: AuthenticateOptions,
  ): Promise<AccessTokenClaims>;
  /** Throws 403 insufficient_scope when the verified claims lack one of `scopes`. */
  checkScopes(claims: AccessTokenClaims, scopes: string | readonly string[]): void;
  /** The revocation feed's health (undefined without a feed). */
  health(): FeedHealth | undefined;
  /** The RFC 6750 realm of the challenges. */
  readonly realm: string;
  /** Stops the revocation feed and its timers. */
  close(): void;
}

/** Seconds a client is told to wait when the guard cannot decide (RFC 9110 §10.2.3). */
const RETRY_AFTER = 5;

/**
 * Creates a guard: options are checked and keys imported now; the revocation feed starts now.
 *
 * @example
 * const guard = createGuard({ issuer: 'https://id.example', audience: 'quiz-api',
 *   revocation: { clientId, clientSecret, failClosedAfterMs: 60_000 } });
 * const claims = await guard.authenticate(request.headers.authorization, { scopes: 'quiz' });
 */
export function createGuard(options: GuardOptions): Guard {
  const { issuer } = options;
  if (typeof issuer !== 'string' || !URL.canParse(issuer)) throw new TypeError('issuer must be a URL');
  const audiences = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (audiences.length === 0 || audiences.some((item) => typeof item !== 'string' || item === '')) {
    throw new TypeError('audience must be a string or a non-empty list of strings');
  }
  const algorithms = options.algorithms ?? ['ES256'];
  const clockTolerance = options.clockTolerance ?? 0;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0)
    throw new TypeError('clockTolerance must be seconds');
  const realm = options.realm ?? audiences[0]!;
  const maxTokenAge =
    options.maxTokenAge === undefined ? (options.typ === false ? 30 * 86_400 : 86_400) : options.maxTokenAge;
  if (maxTokenAge !== false && !(Number.isFinite(maxTokenAge) && maxTokenAge > 0))
    throw new TypeError('maxTokenAge must be seconds (> 0) or false');
  const required = scopeList(options.requiredScopes, 'requiredScopes');
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const key =
    options.key === undefined ||
    options.key instanceof Key ||
    typeof (options.key as KeySet).select === 'function'
      ? (options.key as Key | KeySet | undefined)
      : importKey(options.key as KeyInput, algorithms[0]!);

  const verify: TokenVerifier = createTokenVerifier({
    issuer,
    audience: audiences,
    algorithms,
    typ: options.typ === false ? undefined : (options.typ ?? 'at+jwt'),
    clockTolerance,
    ...(key === undefined ? {} : { key }),
    ...(options.jwksUri === undefined ? {} : { jwksUri: new URL(options.jwksUri) }),
    fetch: fetchImpl,
    now,
    cacheSize: options.cacheSize ?? 1000,
    cacheMaxAgeMs: 600_000,
    cooldownMs: options.jwksCooldownMs ?? 1000,
  });

  const list = new RevocationList();
  let feed: RevocationFeed | undefined;
  const revocation = options.revocation;
  if (revocation !== undefined) {
    if (typeof revocation.clientId !== 'string' || typeof revocation.clientSecret !== 'string') {
      throw new TypeError('revocation needs clientId and clientSecret');
    }
    feed = startRevocationFeed({
      url: new URL(revocation.url ?? `${issuer.replace(/\/+$/, '')}/oauth/revocations`),
      clientId: revocation.clientId,
      clientSecret: revocation.clientSecret,
      list,
      fetch: fetchImpl,
      now,
      clockTolerance,
      ...pick(revocation, ['failClosedAfterMs', 'onHealth', 'pollIntervalMs', 'maxBackoffMs']),
    });
  }

  const dpopGate: DpopGate = createDpopGate({ realm, now, options: options.dpop });

  function checkScopes(claims: AccessTokenClaims, scopes: readonly string[]): void {
    if (scopes.length > 0 && missingScopes(claims, scopes).length > 0) throw insufficientScope(realm, scopes);
  }

  return {
    realm,
    async authenticate(authorization, authenticateOptions) {
      const credentials =
        options.dpop === undefined
          ? { scheme: 'Bearer' as const, token: bearerToken(authorization, realm) }
          : accessCredentials(authorization, realm);
      const { token } = credentials;
      let claims: AccessTokenClaims;
      let kid: string | undefined;
      try {
        const verified = await verify(token);
        claims = verified.payload as AccessTokenClaims;
        kid = verified.kid;
      } catch (error) {
        throw toGuardError(error, realm);
      }
      if (maxTokenAge !== false) {
        const { exp, iat } = claims;
        const tooLong =
          exp - now() / 1000 > maxTokenAge + clockTolerance ||
          (typeof iat === 'number' && exp - iat > maxTokenAge);
        if (tooLong) throw invalidToken(realm, 'token_invalid', 'the access token claims too long a life');
      }
      // RFC 9449 §7.1: a bound token only with a proof by its key; never as Bearer, even here.
      await dpopGate(credentials, claims, authenticateOptions?.request);
      // Checked after the signature: a bad token is told it is bad, whatever the feed's state.
      if (feed?.failClosed()) {
        throw unavailable(realm, 'revocation_unavailable', 'revocation status unavailable', RETRY_AFTER);
      }
      if (list.revokedBy(claims, kid) !== undefined) {
        throw invalidToken(realm, 'token_revoked', 'the access token has been revoked');
      }
      const routeScopes = authenticateOptions?.scopes;
      checkScopes(
        claims,
        routeScopes === undefined ? required : [...required, ...scopeList(routeScopes, 'scopes')],
      );
      return claims;
    },
    checkScopes(claims, scopes) {
      checkScopes(claims, scopeList(scopes, 'scopes'));
    },
    health: () => feed?.health(),
    close() {
      feed?.close();
      list.clear();
    },
  };
}

function toGuardError(error: unknown, realm: string): GuardError {
  if (
    (error instanceof ProtocolError && error.code.startsWith('ERR_DISCOVERY')) ||
    isJwtError(error, 'ERR_JWKS_FETCH') ||
    isJwtError(error, 'ERR_JWKS_TIMEOUT')
  ) {
    return unavailable(realm, 'keys_unavailable', 'the issuer keys are unavailable', RETRY_AFTER);
  }
  if (isJwtError(error, 'ERR_JWT_EXPIRED'))
    return invalidToken(realm, 'token_expired', 'the access token expired');
  if (isJwtError(error)) return invalidToken(realm, 'token_invalid', 'the access token is invalid');
  throw error;
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const name of keys) if (source[name] !== undefined) out[name] = source[name];
  return out;
}
