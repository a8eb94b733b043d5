/** Authorization codes as the authorize pages and the authorization_code grant use them. */
import type { AuthorizationCode } from '../../store/types.js';
import type { DomainContext } from '../context.js';
import { type CodeIssue, issueAuthorizationCode } from './codes.js';
import { type CodeExchange, type MintedFromCode, recordMinted, redeemCode } from './redeem.js';

export interface CodeSteps {
  /** Stores a new code for the user (audited `code.issued`) and answers it, the only copy in clear. */
  issue(input: CodeIssue): Promise<string>;
  /** See redeem.ts `redeemCode`. */
  redeem(input: CodeExchange): Promise<AuthorizationCode>;
  /** See redeem.ts `recordMinted`. */
  recordMinted(code: string, minted: MintedFromCode, ip: string): Promise<void>;
}

/** @example const code = await createCodeSteps(ctx).issue({ request, user, authTime, browserSid, scopes, ip }); */
export function createCodeSteps(ctx: DomainContext): CodeSteps {
  return Object.freeze({
    issue: (input) => issueAuthorizationCode(ctx, input),
    redeem: (input) => redeemCode(ctx, input),
    recordMinted: (code, minted, ip) => recordMinted(ctx, code, minted, ip),
  } satisfies CodeSteps);
}
