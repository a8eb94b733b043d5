/**
 * Hands out an authorization code (RFC 6749 §4.1.2): the domain step stores it and audits it
 * (domain/authorization/codes.ts); this sends it to the client in the request's response mode.
 */
import type { FastifyReply } from 'fastify';
import type { SignedIn } from '../../domain/accounts/browser-sessions.js';
import { releasableClaims } from '../../domain/accounts/claims.js';
import type { Services } from '../../domain/services.js';
import type { AuthorizationRequest } from './authorize-request.js';
import { sendToClient } from './authorize-response.js';

/**
 * Stores a new code for the user and sends it to the client (with `state` and `iss`).
 *
 * @example return issueAuthorizationCode(services, reply, { request, signedIn, scopes, ip }, 303);
 */
export async function issueAuthorizationCode(
  services: Services,
  reply: FastifyReply,
  input: { request: AuthorizationRequest; signedIn: SignedIn; scopes: readonly string[]; ip: string },
  status: 302 | 303,
): Promise<FastifyReply> {
  const { request } = input;
  const code = await services.codes.issue({
    request: {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      dpopJkt: request.dpopJkt,
      // Core §5.5: those the user may release (their scope is the user's), with the code.
      claims: request.claims && releasableClaims(request.claims, input.signedIn.user.scopes),
    },
    user: input.signedIn.user,
    authTime: input.signedIn.authTime,
    browserSid: input.signedIn.sid,
    scopes: input.scopes,
    ip: input.ip,
  });
  return sendToClient(reply, request, { code, state: request.state }, services.config.issuer, status);
}
