/**
 * Issuing authorization codes (RFC 6749 §4.1.2): 256 random bits, stored only as SHA-256, valid for
 * 60 seconds (RFC 6749 §4.1.2 "a maximum authorization code lifetime of 10 minutes is
 * RECOMMENDED"; a browser redirect needs seconds), bound to the client, the redirect URI and the
 * PKCE challenge.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Services } from '../../domain/services.js';
import type { User } from '../../store/types.js';
import type { AuthorizationRequest } from './authorize-request.js';
import { responseUrl } from './authorize-request.js';

export const CODE_LIFETIME_MS = 60_000;

/** The stored form of a code. */
export function hashCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/**
 * Stores a new code for the user and answers the URL that hands it to the client.
 *
 * @example return reply.redirect(await issueAuthorizationCode(services, { request, user, scopes, ip }), 303);
 */
export async function issueAuthorizationCode(
  services: Services,
  input: { request: AuthorizationRequest; user: User; scopes: readonly string[]; ip: string },
): Promise<string> {
  const { request, user } = input;
  const code = randomBytes(32).toString('base64url');
  const at = services.now();
  await services.store.createAuthorizationCode({
    codeHash: hashCode(code),
    clientId: request.client.clientId,
    userId: user.id,
    redirectUri: request.redirectUri,
    redirectUriGiven: request.redirectUriGiven,
    scope: input.scopes.join(' '),
    codeChallenge: request.codeChallenge,
    createdAt: at,
    expiresAt: at + CODE_LIFETIME_MS,
    usedAt: null,
    reusedAt: null,
    familyId: null,
    accessJti: null,
    accessExpiresAt: null,
  });
  await services.audit({
    type: 'code.issued',
    actor: user.id,
    subject: user.id,
    clientId: request.client.clientId,
    ip: input.ip,
    details: { scope: input.scopes.join(' ') },
  });
  return responseUrl(request.redirectUri, { code, state: request.state }, services.config.issuer);
}
