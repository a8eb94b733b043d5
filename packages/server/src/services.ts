import type { LoginThrottle } from './accounts/throttle.js';
import type { UserService } from './accounts/users.js';
import type { ClientService } from './clients/clients.js';
import type { SesameConfig } from './config.js';
import type { Keyring } from './keys/keyring.js';
import type { AuditEvent, RefreshFamily, RefreshToken, Store } from './store/types.js';
import type { AccessTokens } from './tokens/access-token.js';

/**
 * Everything a route or a grant may use, built once by `buildApp` and reached through
 * `app.sesame` / `request.server.sesame`. Routes and grants never build their own services.
 */
export interface Services {
  readonly config: SesameConfig;
  readonly store: Store;
  /** The clock, epoch milliseconds; injectable so expiry is tested without sleeping. */
  readonly now: () => number;
  readonly accessTokens: AccessTokens;
  readonly users: UserService;
  readonly clients: ClientService;
  readonly keys: Keyring;
  readonly sessions: RefreshSessions;
  readonly revocations: AccessTokenRevocations;
  readonly throttle: LoginThrottle;
  /** Records an audit event; never throws into the request (a failed audit write is logged). */
  audit(event: AuditInput): Promise<void>;
  /** Stops background work (key rotation timer); the store stays open (its owner closes it). */
  close(): Promise<void>;
}

export type AuditInput = Pick<AuditEvent, 'type'> & Partial<Omit<AuditEvent, 'id' | 'at' | 'type'>>;

/** A refresh token handed to the client, and the family (session) it belongs to. */
export interface IssuedRefreshToken {
  token: string;
  family: RefreshFamily;
}

export type RefreshOutcome =
  | { kind: 'rotated' | 'grace'; token: string; family: RefreshFamily }
  | { kind: 'reused'; family: RefreshFamily }
  | { kind: 'invalid' };

export interface RefreshSessions {
  start(input: { userId: string | null; clientId: string; scope: string }): Promise<IssuedRefreshToken>;
  refresh(token: string): Promise<RefreshOutcome>;
  /** The stored record and family of a presented refresh token, whatever their state. */
  find(token: string): Promise<{ record: RefreshToken; family: RefreshFamily } | undefined>;
  revokeFamily(familyId: string, reason: string): Promise<boolean>;
  revokeUser(userId: string, reason: string): Promise<string[]>;
}

export interface AccessTokenRevocations {
  /** Puts a jti on the denylist until the token expires (exp, NumericDate). */
  revokeJti(jti: string, exp: number): Promise<void>;
  /** True when the jti, the session (sid) or the user's tokens issued before a time are revoked. */
  isRevoked(claims: { jti?: string; sid?: string; sub: string; iat: number; exp: number }): Promise<boolean>;
}
