/**
 * DPoP (RFC 9449) at the HTTP edge: the proof of a token request and of a request to Sesame's own
 * resource routes (/userinfo, /admin/*), refusals as RFC errors with their headers. The rules are
 * @sesame/protocol's, the checks the domain's `services.dpop`.
 */
import { type DpopProof, DpopProofError, dpopChallenge } from '@sesame/protocol';
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';
import type { Client } from '../../store/types.js';

/** The URL of this request as clients reach it (the issuer's origin and path prefix): the `htu`. */
export function publicUrl(services: Pick<Services, 'config'>, request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '/';
  return `${services.config.issuer.replace(/\/+$/, '')}${path}`;
}

/**
 * The DPoP proof of a token request (RFC 9449 §5), checked before the grant runs: required when the
 * client is registered with `dpop_bound_access_tokens` (§5.2). A refusal is 400 `invalid_dpop_proof`,
 * or `use_dpop_nonce` with a `DPoP-Nonce` header (§8). Under the classic profile DPoP is not offered:
 * a proof is ignored (§5: a server that does not bind answers Bearer) unless the client requires it.
 *
 * @example const dpop = await tokenRequestProof(request, client, services);
 */
export async function tokenRequestProof(
  request: FastifyRequest,
  client: Client,
  services: Services,
): Promise<DpopProof | undefined> {
  const { dpop } = services;
  if (!dpop.enabled) {
    if (client.dpopBoundAccessTokens) {
      throw new OAuthError('invalid_dpop_proof', 'DPoP needs the default token profile');
    }
    return undefined;
  }
  try {
    return await dpop.checkTokenRequest({
      header: request.headers.dpop,
      method: request.method,
      url: publicUrl(services, request),
      required: client.dpopBoundAccessTokens,
    });
  } catch (error) {
    if (!(error instanceof DpopProofError)) throw error;
    const headers: Record<string, string> = {};
    if (dpop.requiresNonce) headers['dpop-nonce'] = await dpop.nonce();
    // The token endpoint answers 400 with an RFC 6749 §5.2 body (RFC 9449 §5, §8), never 401.
    const code = error.error === 'invalid_token' ? 'invalid_dpop_proof' : error.error;
    throw new OAuthError(code, error.message, { status: 400, headers });
  }
}

/**
 * A refusal of Sesame's resource routes under the DPoP scheme (RFC 9449 §7.1): 401 with a
 * `WWW-Authenticate: DPoP` challenge naming the error and the accepted algorithms.
 */
export function dpopResourceError(services: Pick<Services, 'dpop'>, error: DpopProofError): OAuthError {
  return new OAuthError(error.error, error.message, {
    status: 401,
    headers: {
      'www-authenticate': dpopChallenge({
        realm: 'sesame',
        error: error.error,
        description: error.message,
        algorithms: services.dpop.algorithms,
      }),
    },
  });
}
