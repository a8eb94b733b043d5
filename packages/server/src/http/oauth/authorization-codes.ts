/**
 * Hands out an authorization code (RFC 6749 §4.1.2): the domain step stores it and audits it
 * (domain/authorization/codes.ts); this answers the URL that brings it to the client.
 */
import type { SignedIn } from '../../domain/accounts/browser-sessions.js';
import type { Services } from '../../domain/services.js';
import type { AuthorizationRequest } from './authorize-request.js';
import { responseUrl } from './authorize-request.js';

/**
 * Stores a new code for the user and answers the URL that hands it to the client.
 *
 * @example return reply.redirect(await issueAuthorizationCode(services, { request, signedIn, scopes, ip }), 303);
 */
export async function issueAuthorizationCode(
  services: Services,
  input: { request: AuthorizationRequest; signedIn: SignedIn; scopes: readonly string[]; ip: string },
): Promise<string> {
  const { request } = input;
  const code = await services.codes.issue({
    request: {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
    },
    user: input.signedIn.user,
    authTime: input.signedIn.authTime,
    browserSid: input.signedIn.sid,
    scopes: input.scopes,
    ip: input.ip,
  });
  return responseUrl(request.redirectUri, { code, state: request.state }, services.config.issuer);
}
