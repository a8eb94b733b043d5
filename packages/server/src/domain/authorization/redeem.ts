/**
 * Redeeming authorization codes (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.6): the code is exchanged
 * once, by the client it was issued to, with the same redirect URI and the verifier of its
 * challenge (no verifier at all for a code issued without one). RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization
 * server MUST deny the request and SHOULD revoke (when possible) all tokens previously issued based
 * on that authorization code": the refresh family goes (and with it every access token of its
 * `sid`), and the access token's jti is denied until it expires.
 */
import type { AuthorizationCode } from '../../store/types.js';
import { BROWSER_SESSION_MS } from '../accounts/browser-sessions.js';
import type { DomainContext } from '../context.js';
import { OAuthError } from '../errors.js';
import { hashCode } from './codes.js';
import { verifyS256 } from './pkce.js';

const invalidGrant = (why: string) => new OAuthError('invalid_grant', why);

export interface CodeExchange {
  code: string;
  clientId: string;
  /** The token request's redirect_uri, when it sent one. */
  redirectUri: string | undefined;
  /** Absent only for a code issued without a challenge. */
  codeVerifier: string | undefined;
  ip: string;
}

export interface MintedFromCode {
  familyId: string | null;
  accessJti: string | null;
  /** Epoch ms. */
  accessExpiresAt: number | null;
}

type Ctx = Pick<DomainContext, 'store' | 'sessions' | 'revocations' | 'now' | 'audit'>;

/**
 * Spends the code after every check, or throws `invalid_grant` (a reuse revokes what the code
 * minted first). Answers the code's record: the user, the scope.
 *
 * @example const code = await redeemCode(ctx, { code, clientId, redirectUri, codeVerifier, ip });
 */
export async function redeemCode(ctx: Ctx, input: CodeExchange): Promise<AuthorizationCode> {
  const codeHash = hashCode(input.code);
  const code = await ctx.store.findAuthorizationCode(codeHash);
  if (code === undefined) throw invalidGrant('the code is not valid');
  if (code.usedAt !== null) {
    const again = await ctx.store.redeemAuthorizationCode(codeHash, ctx.now());
    if (again.kind !== 'unknown') await revokeMinted(ctx, again.code, input.ip);
    throw invalidGrant('the code was already used');
  }
  // Checked before the code is spent, so another client or a wrong verifier cannot burn it.
  if (code.clientId !== input.clientId) throw invalidGrant('the code was issued to another client');
  if (code.expiresAt <= ctx.now()) throw invalidGrant('the code has expired');
  // §4.1.3: "redirect_uri: REQUIRED, if ... included in the authorization request ... and their
  // values MUST be identical."
  const { redirectUri } = input;
  if (
    code.redirectUriGiven
      ? redirectUri !== code.redirectUri
      : redirectUri !== undefined && redirectUri !== code.redirectUri
  ) {
    throw invalidGrant('the redirect_uri does not match the authorization request');
  }
  if (code.codeChallenge === null) {
    // RFC 9700 §2.1.1 (PKCE downgrade): a client that holds a verifier sent a challenge, so a code
    // without one was obtained by a request someone stripped of it, or was injected.
    if (input.codeVerifier !== undefined) {
      throw invalidGrant('a code_verifier was sent for a code issued without a code_challenge');
    }
  } else if (input.codeVerifier === undefined) {
    throw new OAuthError('invalid_request', 'the code_verifier parameter is missing (PKCE)');
  } else if (!verifyS256(input.codeVerifier, code.codeChallenge)) {
    throw invalidGrant('the code_verifier does not match the code_challenge');
  }
  const redeemed = await ctx.store.redeemAuthorizationCode(codeHash, ctx.now());
  if (redeemed.kind !== 'redeemed') {
    // Lost a race with another use of the same code: that is a reuse too.
    if (redeemed.kind === 'reused') await revokeMinted(ctx, redeemed.code, input.ip);
    throw invalidGrant('the code was already used');
  }
  return code;
}

/**
 * Records what the code minted so a later second use can revoke it; if that second use came while
 * the tokens were being made, they are revoked now and `invalid_grant` is thrown (not handed out).
 *
 * The client is also recorded as one of the browser session's clients (told when it ends:
 * Back-Channel Logout 1.0 §2.7), and then the session must still be live: a code redeemed after its
 * session was logged out gives nothing. In that order, against the logout's (end the record, then
 * take the clients and revoke the families): either this check sees the session ended, or the
 * logout sees this client and this family.
 *
 * @example await recordMinted(ctx, code, { familyId, accessJti, accessExpiresAt }, ip);
 */
export async function recordMinted(
  ctx: Ctx,
  code: string,
  minted: MintedFromCode,
  ip: string,
): Promise<void> {
  const after = await ctx.store.recordCodeTokens(hashCode(code), minted);
  if (after?.reusedAt != null) {
    await revokeMinted(ctx, after, ip);
    throw invalidGrant('the code was already used');
  }
  if (after?.browserSid == null) return;
  const at = ctx.now();
  await ctx.store.addSessionClient({
    sid: after.browserSid,
    clientId: after.clientId,
    userId: after.userId,
    createdAt: at,
    // No session lives longer; the row goes with its session's end, or after this.
    expiresAt: at + BROWSER_SESSION_MS,
  });
  if ((await ctx.store.findBrowserSessionBySid(after.browserSid, at)) === undefined) {
    await withdrawMinted(ctx, after, 'browser session ended');
    throw invalidGrant('the sign-in session behind the code has ended');
  }
}

/** Takes back the refresh family and the access token a code minted. */
async function withdrawMinted(ctx: Ctx, code: AuthorizationCode, reason: string): Promise<void> {
  if (code.familyId !== null) await ctx.sessions.revokeFamily(code.familyId, reason);
  if (code.accessJti !== null && code.accessExpiresAt !== null) {
    await ctx.revocations.revokeToken({ jti: code.accessJti, exp: Math.ceil(code.accessExpiresAt / 1000) });
  }
}

async function revokeMinted(ctx: Ctx, code: AuthorizationCode, ip: string): Promise<void> {
  await withdrawMinted(ctx, code, 'authorization code reused');
  await ctx.audit({
    type: 'code.reuse',
    actor: code.userId,
    subject: code.familyId,
    clientId: code.clientId,
    ip,
    details: {},
  });
}
