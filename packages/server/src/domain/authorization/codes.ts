/**
 * Issuing authorization codes (RFC 6749 §4.1.2): 256 random bits, stored only as SHA-256, valid for
 * 60 seconds (RFC 6749 §4.1.2 "a maximum authorization code lifetime of 10 minutes is
 * RECOMMENDED"; a browser redirect needs seconds), bound to the client, the redirect URI and the
 * PKCE challenge. The step stores the code and audits `code.issued`; the caller hands it out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestedClaims, User } from '../../store/types.js';
import type { DomainContext } from '../context.js';

export const CODE_LIFETIME_MS = 60_000;

/** The stored form of a code. */
export function hashCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

export interface CodeRequest {
  clientId: string;
  redirectUri: string;
  /** Whether the request named its redirect URI (RFC 6749 §4.1.3 then asks for it again). */
  redirectUriGiven: boolean;
  /** Null: issued without PKCE (a confidential client registered with requirePkce false). */
  codeChallenge: string | null;
  /** OpenID Connect Core §3.1.2.1: kept with the code, echoed exactly in the ID token. */
  nonce?: string;
  /** OpenID Connect Core §5.5: the claims asked for by name, those the user may release. */
  claims?: RequestedClaims;
  /** RFC 9449 §10 `dpop_jkt`: the exchange must carry a DPoP proof by this key. */
  dpopJkt?: string;
}

export interface CodeIssue {
  request: CodeRequest;
  user: User;
  /** Epoch ms of the password login behind the browser session: the ID token's `auth_time`. */
  authTime: number;
  /** That browser session's public id (the ID token's `sid`); null for a session without one. */
  browserSid: string | null;
  scopes: readonly string[];
  ip: string;
}

/**
 * Stores a new code for the user and answers it (the only copy of the code in clear).
 *
 * @example const code = await issueAuthorizationCode(ctx, { request, user, authTime, browserSid, scopes, ip });
 */
export async function issueAuthorizationCode(
  ctx: Pick<DomainContext, 'store' | 'now' | 'audit'>,
  input: CodeIssue,
): Promise<string> {
  const { request, user } = input;
  const code = randomBytes(32).toString('base64url');
  const at = ctx.now();
  await ctx.store.createAuthorizationCode({
    codeHash: hashCode(code),
    clientId: request.clientId,
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
    nonce: request.nonce ?? null,
    authTime: input.authTime,
    browserSid: input.browserSid,
    claims: request.claims ?? null,
    dpopJkt: request.dpopJkt ?? null,
  });
  await ctx.audit({
    type: 'code.issued',
    actor: user.id,
    subject: user.id,
    clientId: request.clientId,
    ip: input.ip,
    details: { scope: input.scopes.join(' ') },
  });
  return code;
}
