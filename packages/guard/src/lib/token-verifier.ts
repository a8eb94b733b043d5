import {
  type Algorithm,
  createRemoteKeySet,
  createVerifier,
  isJwtError,
  JwtError,
  type JwtPayload,
  type Key,
  type KeySet,
  type RemoteKeySet,
  type VerifyOptions,
  verifyAsync,
} from '@sesame/jwt';
import { discoverJwksUri, type ProtocolError } from '@sesame/protocol';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string | readonly string[];
  algorithms: readonly Algorithm[];
  typ: string | undefined;
  clockTolerance: number;
  key?: Key | KeySet;
  jwksUri?: URL;
  fetch: typeof fetch;
  now: () => number;
  /** Verified tokens remembered (0 disables). */
  cacheSize: number;
  cacheMaxAgeMs: number;
  cooldownMs: number;
}

/** A verified token: its claims, and the `kid` of its header (for `kid` revocations). */
export interface VerifiedToken {
  payload: JwtPayload;
  kid: string | undefined;
}

/** Verifies a token's signature and claims; resolves to them or rejects with a JwtError or a discovery ProtocolError. */
export type TokenVerifier = (token: string) => VerifiedToken | Promise<VerifiedToken>;

/** After a failed discovery, calls fail fast for this long instead of fetching again. */
const DISCOVERY_RETRY_MS = 5_000;

/**
 * Builds the verifying function. With a remote key set the hot path is synchronous: the last
 * fetched set is used directly, and only an unknown kid (a key rotation at the issuer) or the first
 * token takes the asynchronous path that fetches (at most once per cooldown). A token verified
 * once is remembered by its exact text, so a client repeating its token costs a Map lookup and the
 * time checks, not a signature verification; the memory is dropped when the key set changes.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { now, clockTolerance, cacheSize } = options;
  const verifyOptions: VerifyOptions = {
    algorithms: options.algorithms,
    issuer: options.issuer,
    audience: options.audience,
    typ: options.typ,
    clockTolerance,
    // RFC 9068 §2.2: exp is REQUIRED; a token that never expires is never accepted.
    requiredClaims: ['exp'],
    currentDate: () => new Date(now()),
  };

  // Keyed by the signature segment, not the whole token: a Map hashes its key on every lookup, and
  // the signature is a fraction of the text. The entry keeps the whole token, and only the same
  // text is a hit: another token with the same signature segment is verified in full.
  const cache = new Map<string, { token: string; verified: VerifiedToken }>();
  const signatureOf = (token: string) => token.slice(token.lastIndexOf('.') + 1);
  const remember = (
    token: string,
    { header, payload }: { header: { kid?: string }; payload: JwtPayload },
  ): VerifiedToken => {
    // One verified token serves every request that presents the same text: its claims are frozen,
    // so a handler writing to them (req.auth) cannot change what later requests see.
    const verified: VerifiedToken = Object.freeze({ payload: deepFreeze(payload), kid: header.kid });
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(signatureOf(token), { token, verified });
    }
    return verified;
  };
  const recall = (token: string): VerifiedToken | undefined => {
    const key = signatureOf(token);
    const entry = cache.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    const { payload } = entry.verified;
    // Signature, issuer, audience and type cannot change for the same text: only time can.
    const seconds = now() / 1000;
    if ((payload.exp as number) <= seconds - clockTolerance) {
      cache.delete(key);
      throw new JwtError('ERR_JWT_EXPIRED', 'the token has expired', 'exp');
    }
    if (typeof payload.nbf === 'number' && payload.nbf > seconds + clockTolerance) {
      throw new JwtError('ERR_JWT_NOT_YET_VALID', 'the token is not valid yet', 'nbf');
    }
    return entry.verified;
  };

  if (options.key !== undefined) {
    const verify = createVerifier({ ...verifyOptions, key: options.key });
    return (token) => recall(token) ?? remember(token, verify(token));
  }

  let remote: RemoteKeySet | undefined;
  let discovering: Promise<RemoteKeySet> | undefined;
  let discoveryFailed: { at: number; error: ProtocolError } | undefined;
  let cachedFor: unknown;
  // The jwt package's remote key set holds the one refetch policy (an unknown kid: one fetch per
  // cooldown, callers waiting for its end; a set older than cacheMaxAgeMs refreshed in the background).
  const makeRemote = (url: URL) =>
    createRemoteKeySet(url, {
      fetch: options.fetch,
      now,
      cacheMaxAgeMs: options.cacheMaxAgeMs,
      cooldownMs: options.cooldownMs,
    });
  if (options.jwksUri !== undefined) remote = makeRemote(options.jwksUri);

  function keySet(): Promise<RemoteKeySet> {
    if (remote !== undefined) return Promise.resolve(remote);
    if (discoveryFailed !== undefined && now() - discoveryFailed.at < DISCOVERY_RETRY_MS) {
      return Promise.reject(discoveryFailed.error);
    }
    discovering ??= discoverJwksUri(options.issuer, { fetch: options.fetch, timeoutMs: 5_000 }).then(
      (url) => {
        remote = makeRemote(url);
        return remote;
      },
      (error: ProtocolError) => {
        discoveryFailed = { at: now(), error };
        discovering = undefined;
        throw error;
      },
    );
    return discovering;
  }

  // The synchronous view of the remote set: the keys it already holds, or "ask select".
  const known: KeySet = {
    select(header) {
      const keys = remote?.selectSync(header);
      if (keys === undefined) throw new JwtError('ERR_JWKS_NO_MATCH', 'no key known for this kid yet');
      return keys;
    },
  };
  const fast = createVerifier({ ...verifyOptions, key: known });

  /** The first token, or an unknown kid: the remote set's own select fetches as its policy says. */
  async function slow(token: string): Promise<VerifiedToken> {
    const keys = await keySet();
    return remember(token, await verifyAsync(token, keys, verifyOptions));
  }

  return (token) => {
    const current = remote?.current;
    if (current === undefined) return slow(token);
    if (current !== cachedFor) {
      cache.clear();
      cachedFor = current;
    }
    const hit = recall(token);
    if (hit !== undefined) return hit;
    try {
      return remember(token, fast(token));
    } catch (error) {
      if (isJwtError(error, 'ERR_JWKS_NO_MATCH')) return slow(token);
      throw error;
    }
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
