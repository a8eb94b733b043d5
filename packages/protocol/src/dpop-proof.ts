/**
 * RFC 9449 §4.3, the checklist of a DPoP proof, written once for the server's token endpoint and
 * resource routes and for @sesame/guard. The JWS itself (typ, alg, the embedded jwk, the signature)
 * is @sesame/jwt's `verifyEmbeddedJwk`, handed in as `verify` because protocol imports nothing of ours.
 */
import { hash } from 'node:crypto';
import { DpopProofError, type DpopRule } from './dpop-errors.js';
import {
  accessTokenHash,
  DPOP_ALGORITHMS,
  isCompactJws,
  normaliseHtu,
  notCompact,
  singleDpopHeader,
} from './dpop-http.js';

/** Where accepted proofs are remembered, so a `jti` is accepted once (RFC 9449 §11.1). */
export interface DpopReplayCache {
  /**
   * Records `key` until `expiresAt` (epoch ms) and resolves true, or resolves false when it is
   * already there: one atomic set-if-absent. Rejects when the cache cannot be reached — the proof
   * is then refused by the caller (fail closed), never accepted unchecked.
   */
  remember(key: string, expiresAt: number): Promise<boolean>;
}

/** The server's nonces (RFC 9449 §8): when given, every proof must carry a current one. */
export interface DpopNonceCheck {
  isCurrent(nonce: string): boolean;
}

export interface DpopCheckerOptions {
  /**
   * `verifyEmbeddedJwk` of @sesame/jwt (or one of the same contract). It must refuse anything that
   * is not a compact JWS of three strict base64url segments: the checker relies on it for the
   * shape of RFC 9449 §4.3 point 2 (and names such a refusal rule `header`).
   */
  verify(
    proof: string,
    options: { algorithms: readonly string[]; typ: string },
  ): { payload: Record<string, unknown>; thumbprint: string };
  /** Accepted `alg` values (default DPOP_ALGORITHMS; never `none` or HMAC: `verify` refuses them). */
  algorithms?: readonly string[];
  replay: DpopReplayCache;
  /** The clock, epoch ms. */
  now?: () => number;
  /** How old a proof's `iat` may be, in seconds (default 300: RFC 9449 §11.1 leaves it to the server). */
  maxAgeSeconds?: number;
  /** How far in the future `iat` may be, for clients whose clock is ahead (default 5 s). */
  clockSkewSeconds?: number;
  nonce?: DpopNonceCheck;
  /**
   * `ath` of an access token (default accessTokenHash): a resource server that sees the same token
   * on every request may remember it (accessTokenHashes).
   */
  hashOf?: (accessToken: string) => string;
}

/** One request, as the checker sees it. */
export interface DpopRequest {
  /** The request's DPoP header value(s). */
  header: string | readonly string[] | undefined;
  /** The HTTP method, as sent (`htm` is compared exactly). */
  method: string;
  /** The request's absolute URL, as this server is reached (query and fragment ignored). */
  url: string;
  /** At a resource server: the access token presented, whose hash `ath` must be (§4.3 point 12). */
  accessToken?: string;
  /**
   * `accessTokenHash(accessToken)`, when the caller remembers it beside the verified token (a client
   * repeats its token on every request); computed from `accessToken` when absent.
   */
  accessTokenHash?: string;
  /** The key thumbprint the token, refresh token or code is bound to: the proof must be signed by it. */
  thumbprint?: string;
  /** True when a proof is needed; implied by `accessToken` or `thumbprint`. */
  required?: boolean;
}

/** An accepted proof. */
export interface DpopProof {
  /** The RFC 7638 thumbprint of the proof's key: the `cnf.jkt` a token bound to it carries. */
  thumbprint: string;
  jti: string;
  iat: number;
}

/** Request URLs whose normalised `htu` a checker remembers. */
const MAX_URLS = 1000;

/** `jti` is a random identifier (§4.2); one longer than this is no honest client's. */
const MAX_JTI_LENGTH = 256;

/**
 * Validates the options once and returns the checker: resolves the accepted proof, resolves
 * undefined when the request has none and none is required, or rejects with a DpopProofError naming
 * the rule broken. Checks run in the order of §4.3; the replay cache is written last, so only a proof
 * that passed every other check uses a `jti`.
 *
 * @example
 * const check = createDpopChecker({ verify: verifyEmbeddedJwk, replay: memoryReplayCache() });
 * const proof = await check({ header: req.headers.dpop, method: 'POST', url: 'https://id.example/oauth/token' });
 */
export function createDpopChecker(
  options: DpopCheckerOptions,
): (request: DpopRequest) => Promise<DpopProof | undefined> {
  const { verify, replay, nonce, hashOf } = options;
  if (typeof verify !== 'function') throw new TypeError('verify must be a function');
  if (typeof replay?.remember !== 'function') throw new TypeError('replay must be a replay cache');
  const algorithms = Object.freeze([...(options.algorithms ?? DPOP_ALGORITHMS)]);
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeSeconds ?? 300;
  const skew = options.clockSkewSeconds ?? 5;
  if (!(Number.isFinite(maxAge) && maxAge > 0)) throw new TypeError('maxAgeSeconds must be positive');
  if (!(Number.isFinite(skew) && skew >= 0)) throw new TypeError('clockSkewSeconds must be seconds');

  // The request URLs of an API repeat: each is normalised once (at most MAX_URLS remembered,
  // oldest forgotten first). The same text always normalises the same way.
  const normalised = new Map<string, string | undefined>();
  const htuOf = (url: string): string | undefined => {
    if (normalised.has(url)) return normalised.get(url);
    const htu = normaliseHtu(url);
    if (normalised.size >= MAX_URLS) normalised.delete(normalised.keys().next().value as string);
    normalised.set(url, htu);
    return htu;
  };

  return async function checkDpopProof(request: DpopRequest): Promise<DpopProof | undefined> {
    const proof = singleDpopHeader(request.header);
    if (proof === undefined) {
      if (request.required || request.accessToken !== undefined || request.thumbprint !== undefined) {
        throw new DpopProofError('missing', 'a DPoP proof is required');
      }
      return undefined;
    }
    let verified: { payload: Record<string, unknown>; thumbprint: string };
    try {
      verified = verify(proof, { algorithms, typ: 'dpop+jwt' });
    } catch (error) {
      // verify refused it; a value that is not even a compact JWS is the header's fault.
      if (!isCompactJws(proof)) throw notCompact();
      throw new DpopProofError(ruleOf(error), `the DPoP proof is refused: ${messageOf(error)}`);
    }
    const { payload, thumbprint } = verified;
    const { jti, htm, htu, iat } = payload;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
      throw new DpopProofError('jti', 'the DPoP proof has no valid jti');
    }
    if (htm !== request.method) throw new DpopProofError('htm', 'the DPoP proof is for another method');
    const expected = htuOf(request.url);
    // The same text normalises the same way: a client that sends the URL as requested is not parsed twice.
    if (expected === undefined || (htu !== request.url && normaliseHtu(htu) !== expected)) {
      throw new DpopProofError('htu', 'the DPoP proof is for another URL');
    }
    const nowSeconds = now() / 1000;
    if (typeof iat !== 'number' || !Number.isFinite(iat))
      throw new DpopProofError('iat', 'the DPoP proof has no iat');
    if (iat > nowSeconds + skew) throw new DpopProofError('iat', 'the DPoP proof is issued in the future');
    if (iat < nowSeconds - maxAge) throw new DpopProofError('iat', 'the DPoP proof is too old');
    if (request.accessToken !== undefined) {
      const ath = request.accessTokenHash ?? (hashOf ?? accessTokenHash)(request.accessToken);
      if (payload.ath !== ath) throw new DpopProofError('ath', 'the DPoP proof is not for this access token');
    }
    if (request.thumbprint !== undefined && request.thumbprint !== thumbprint) {
      throw new DpopProofError('binding', 'the DPoP proof is signed by another key than the one bound');
    }
    if (nonce !== undefined && (typeof payload.nonce !== 'string' || !nonce.isCurrent(payload.nonce))) {
      throw new DpopProofError('nonce', 'the authorization server requires a current DPoP nonce');
    }
    // Keyed by key and jti (two clients may pick the same jti), hashed to a fixed size; kept until
    // the proof would be refused as too old anyway.
    const key = hash('sha256', `${thumbprint}.${jti}`, 'base64url') as string;
    const first = await replay.remember(key, Math.ceil((iat + maxAge + skew) * 1000));
    if (!first) throw new DpopProofError('replay', 'the DPoP proof was already used');
    return { thumbprint, jti, iat };
  };
}

/** The rule a refusal of @sesame/jwt's verifyEmbeddedJwk stands for, by its stable code. */
function ruleOf(error: unknown): DpopRule {
  switch ((error as { code?: unknown })?.code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'alg';
    case 'ERR_JWK_INVALID':
      return 'jwk';
    case 'ERR_JWS_SIGNATURE':
      return 'signature';
    default:
      return 'jws';
  }
}

/** JwtError messages name the problem, never key material or the proof. */
function messageOf(error: unknown): string {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string'
    ? error.message
    : 'not a valid JWS';
}
