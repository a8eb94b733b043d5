import type { SesameConfig } from '../config/config.js';
import type { AccountSteps } from './accounts/account-steps.js';
import type { BrowserSessions } from './accounts/browser-sessions.js';
import type { ConsentSteps } from './accounts/consents.js';
import type { CodeSteps } from './authorization/code-steps.js';
import type { PushedRequests } from './authorization/pushed-requests.js';
import type { ClientAssertions } from './clients/client-assertion.js';
import type { ClientSteps } from './clients/client-steps.js';
import type { InitialAccessTokens } from './clients/initial-access-tokens.js';
import type { RegistrationSteps } from './clients/registration.js';
import type { ResponseEncryption } from './clients/response-encryption.js';
import type { AuditInput } from './context.js';
import type { FirstStartResult } from './system/first-start.js';
import type { AuditTrail, Health } from './system/health.js';
import type { KeySteps } from './system/key-steps.js';
import type { ScopeDescriptions } from './system/scope-descriptions.js';
import type { AccessTokens } from './tokens/access-token.js';
import type { BackchannelLogout } from './tokens/backchannel-logout.js';
import type { Denylist } from './tokens/denylist.js';
import type { Dpop } from './tokens/dpop.js';
import type { IdTokens } from './tokens/id-token.js';
import type { IdTokenHints } from './tokens/id-token-hint.js';
import type { RevocationHub } from './tokens/revocation-hub.js';
import type { SessionSteps } from './tokens/session-steps.js';
import type { WechatSteps } from './wechat/wechat-steps.js';

export type { AuditInput };

/**
 * Everything a route, a grant or a command may use, built once by `buildApp` (or a command) and
 * reached through `app.sesame` / `request.server.sesame`. It holds no store: each member is a set of
 * business steps (which write their own audit events and do every side effect a change needs) or a
 * narrow reader. Only the domain's steps and the wiring hold the store (DomainContext).
 */
export interface Services {
  readonly config: SesameConfig;
  /** The clock, epoch milliseconds; injectable so expiry is tested without sleeping. */
  readonly now: () => number;
  readonly accessTokens: AccessTokens;
  /** DPoP (RFC 9449): the proofs of token and resource requests, the server's nonces. */
  readonly dpop: Dpop;
  /** OpenID Connect ID tokens (none in HMAC mode: see tokens/id-token.ts). */
  readonly idTokens: IdTokens;
  /** Verifies an `id_token_hint` (an ID token of this issuer, accepted expired): see tokens/id-token-hint.ts. */
  readonly idTokenHints: IdTokenHints;
  readonly users: AccountSteps;
  readonly clients: ClientSteps;
  /** Verifies private_key_jwt client assertions and spends their jti (clients/client-assertion.ts). */
  readonly clientAssertions: ClientAssertions;
  /** Dynamic client registration (RFC 7591) and its management (RFC 7592). */
  readonly registration: RegistrationSteps;
  /** The initial access tokens that registration may require (RFC 7591 §3). */
  readonly initialAccessTokens: InitialAccessTokens;
  /** Encrypts ID tokens and /userinfo answers to clients that ask (clients/response-encryption.ts). */
  readonly responseEncryption: ResponseEncryption;
  readonly consents: ConsentSteps;
  readonly codes: CodeSteps;
  /** Pushed authorization requests (RFC 9126) and the seal that carries one through the pages. */
  readonly pushedRequests: PushedRequests;
  readonly keys: KeySteps;
  /** Refresh-token families (login sessions). */
  readonly sessions: SessionSteps;
  /** The access-token denylist (jti, sid, user), mirrored for the hot path. */
  readonly revocations: Denylist;
  /** The revocation feed's one store reader, fanned out to every open feed stream. */
  readonly revocationFeed: RevocationHub;
  readonly wechat: WechatSteps;
  readonly scopeDescriptions: ScopeDescriptions;
  readonly auditTrail: AuditTrail;
  readonly health: Health;
  /** The login pages' browser sessions (cookies signed with a secret kept in the store). */
  browserSessions(): Promise<BrowserSessions>;
  /** First-start set-up of an empty store (see domain/system/first-start.ts). */
  firstStart(): Promise<FirstStartResult | undefined>;
  /** Records an audit event; never throws into the request (a failed audit write is logged). */
  audit(event: AuditInput): Promise<void>;
  /**
   * The back-channel logout deliveries under way (tokens/backchannel-logout.ts): a one-shot command
   * waits for them before it exits, a test before it looks at what a receiver got.
   */
  readonly backchannelLogout: Pick<BackchannelLogout, 'settled'>;
  /**
   * Stops background work (key rotation timer, the feed's poll, the revocation sweep, back-channel
   * retries still waiting); the store stays open (its owner closes it).
   */
  close(): Promise<void>;
}
