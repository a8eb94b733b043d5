import {
  type AccessTokenCredentials,
  boundThumbprint,
  DpopProofError,
  ProtocolError,
  parseAccessTokenCredentials,
} from '@sesame/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import type { AccessTokenClaims } from '../../domain/tokens/access-token.js';
import { dpopResourceError, publicUrl } from './dpop.js';

const REALM = 'sesame';

/** RFC 6750 §3: the WWW-Authenticate value of a bearer error. */
function challenge(error?: string, description?: string, scope?: string): string {
  let value = `Bearer realm="${REALM}"`;
  if (error) value += `, error="${error}"`;
  if (description) value += `, error_description="${description}"`;
  if (scope) value += `, scope="${scope}"`;
  return value;
}

/**
 * RFC 6750 §3.1 errors: invalid_request 400, invalid_token 401, insufficient_scope 403, each with
 * its WWW-Authenticate. A request without credentials gets the challenge without an error code.
 */
export function bearerError(
  kind: 'missing' | 'invalid_request' | 'invalid_token' | 'insufficient_scope',
  description: string,
  scope?: string,
): OAuthError {
  if (kind === 'missing') {
    return new OAuthError('invalid_token', description, {
      status: 401,
      headers: { 'www-authenticate': challenge() },
    });
  }
  return new OAuthError(kind, description, {
    headers: { 'www-authenticate': challenge(kind, description, scope) },
  });
}

/**
 * The access token of the Authorization header (the only place Sesame reads one from), by
 * @sesame/protocol's grammar: the Bearer scheme (RFC 6750 §2.1) or the DPoP scheme (RFC 9449 §7.1).
 * No header, an empty one or another scheme (Basic) is "no credentials" (RFC 6750 §3.1: 401
 * without an error code); a value outside the grammar is invalid_request.
 */
export function readBearerToken(request: FastifyRequest): AccessTokenCredentials {
  const header = request.headers.authorization;
  const query = request.query as Record<string, unknown> | undefined;
  if (query && Object.hasOwn(query, 'access_token')) {
    // RFC 6750 §2.3 is optional and leaks tokens into logs and histories: not supported.
    throw bearerError('invalid_request', 'send the token in the Authorization header');
  }
  try {
    return parseAccessTokenCredentials(header);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    if (error.code === 'ERR_CREDENTIALS_MALFORMED') throw bearerError('invalid_request', error.message);
    throw bearerError('missing', 'a bearer token is required');
  }
}

/**
 * A preHandler for Sesame's own routes: verifies the bearer token (signature, issuer, audience
 * = Sesame's `audience`, expiry, revocation, account still enabled) and the scopes, and sets
 * `request.tokenClaims`.
 *
 * @example app.get('/admin/users', { preHandler: requireBearer('admin') }, handler)
 */
export function requireBearer(...scopes: string[]) {
  return requireBearerFrom(readBearerToken, ...scopes);
}

/**
 * `requireBearer` with another place to read the token from (/userinfo also takes it from a form
 * body, RFC 6750 §2.2); the checks are the same.
 */
export function requireBearerFrom(
  readToken: (request: FastifyRequest) => AccessTokenCredentials,
  ...scopes: string[]
) {
  return async function bearerPreHandler(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const { scheme, token } = readToken(request);
    const services = request.server.sesame;
    let claims: AccessTokenClaims;
    try {
      // Only tokens whose aud includes Sesame's own audience: a token issued for another API (whose
      // `admin` scope may mean something else) is not accepted here (RFC 9068 §4).
      claims = services.accessTokens.verifyForSesame(token);
    } catch {
      throw bearerError('invalid_token', 'the access token is not valid');
    }
    await checkBinding(request, scheme, token, claims);
    if (await services.revocations.isRevoked(claims)) {
      // The guard's words for the same refusal (@sesame/guard token_revoked): one cause, one message.
      throw bearerError('invalid_token', 'the access token has been revoked');
    }
    if (claims.username !== undefined) {
      const user = await services.users.find({ id: claims.sub });
      if (user === undefined || user.disabled)
        throw bearerError('invalid_token', 'the access token is not valid');
    }
    const missing = scopes.filter((scope) => !claims.scopes.includes(scope));
    if (missing.length > 0) {
      throw bearerError('insufficient_scope', 'the access token lacks a required scope', scopes.join(' '));
    }
    request.tokenClaims = claims;
  };
}

/**
 * RFC 9449 §7.1: a DPoP-bound token (`cnf.jkt`) only under the DPoP scheme and with a proof by its
 * key for this request (`htm`, `htu`, `ath`, a fresh `jti`); an unbound one only as Bearer. A refusal
 * is 401 with a `WWW-Authenticate: DPoP` challenge.
 */
async function checkBinding(
  request: FastifyRequest,
  scheme: AccessTokenCredentials['scheme'],
  token: string,
  claims: AccessTokenClaims,
): Promise<void> {
  const services = request.server.sesame;
  try {
    const thumbprint = boundThumbprint(scheme, claims.raw.cnf);
    if (thumbprint === undefined) return;
    await services.dpop.checkResourceRequest({
      header: request.headers.dpop,
      method: request.method,
      url: publicUrl(services, request),
      accessToken: token,
      thumbprint,
    });
  } catch (error) {
    if (error instanceof DpopProofError) throw dpopResourceError(services, error);
    throw error;
  }
}
