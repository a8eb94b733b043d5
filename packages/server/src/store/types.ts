/**
 * The storage interface of the Sesame server: everything it keeps, in the domain's words.
 *
 * Implementations (SQLite now, PostgreSQL later) are proven equal by one conformance suite
 * (test/store/conformance/suite.ts). Operations that must be atomic — refresh rotation, family
 * revocation, single-use markers, throttle counters — are the store's job, done inside one
 * transaction or one conditional statement, never read-modify-write in JavaScript.
 *
 * Times are epoch milliseconds (numbers) everywhere: one unit, no Date/timezone surprises.
 * Secrets never reach the store in clear: client secrets and refresh tokens arrive hashed.
 */

export interface User {
  /** Random id, used as the token `sub`. */
  id: string;
  /** As typed at creation; uniqueness is case-insensitive. */
  username: string;
  /** Argon2id PHC string. */
  passwordHash: string;
  /** Scopes this user may be granted. */
  scopes: string[];
  disabled: boolean;
  /** OpenID Connect standard claims (Core §5.1), validated by domain/accounts/profile.ts. */
  profile: UserProfile;
  createdAt: number;
  updatedAt: number;
}

/** OpenID Connect Core §5.1.1: the parts of a postal address, each optional. */
export interface PostalAddress {
  formatted?: string;
  street_address?: string;
  locality?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

/**
 * The standard claims a user may have, by their OpenID Connect names, so /userinfo and ID tokens
 * hand them out as stored. `updated_at` (epoch seconds) is set by Sesame when the profile changes.
 */
export interface UserProfile {
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  profile?: string;
  picture?: string;
  website?: string;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
  address?: PostalAddress;
  updated_at?: number;
}

export type ClientType = 'confidential' | 'public';

export interface Client {
  clientId: string;
  name: string;
  type: ClientType;
  /** SHA-256 (hex) of the secret; null for public clients. */
  secretHash: string | null;
  grantTypes: string[];
  scopes: string[];
  redirectUris: string[];
  /** The `aud` of access tokens issued to this client; empty means the server default. */
  audience: string[];
  /**
   * What the client may do beyond its own tokens (`CLIENT_PERMISSIONS`): `introspect` any token,
   * read the `revocations` feed. Empty for most clients.
   */
  permissions: string[];
  /**
   * OpenID Connect RP-Initiated Logout 1.0 §3.1 `post_logout_redirect_uris`: where the logout may
   * send the browser back, matched exactly (http/oauth/end-session-request.ts).
   */
  postLogoutRedirectUris: string[];
  /**
   * Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`: where logout tokens are POSTed
   * (domain/tokens/backchannel-logout.ts). Null: none.
   */
  backchannelLogoutUri: string | null;
  /** Registration §2 `id_token_signed_response_alg`; null: the server's signing algorithm. */
  idTokenSignedResponseAlg: string | null;
  /**
   * Registration §2 `token_endpoint_auth_method`, enforced by client authentication. Null (only for
   * a confidential client): either secret method.
   */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod | null;
  /**
   * PKCE required at the authorization endpoint (RFC 9700 §2.1.1). Always true for a public
   * client; a confidential one may be registered without it (OpenID Connect's nonce protects it).
   */
  requirePkce: boolean;
  /** Registration §2 `subject_type`: only `public` (the same `sub` for every client). */
  subjectType: SubjectType;
  /**
   * RFC 7591 §2 `jwks`: the client's public keys, inline, for private_key_jwt (RFC 7523 §2.2).
   * Null: none (then `jwksUri`, or the client does not sign).
   */
  jwks: ClientJwks | null;
  /** RFC 7591 §2 `jwks_uri`: where the client publishes its public keys. Null: none. */
  jwksUri: string | null;
  /**
   * RFC 9449 §5.2 `dpop_bound_access_tokens`: every token request of this client must carry a DPoP
   * proof, so its access tokens are always bound to a key. False for clients made before 012.
   */
  dpopBoundAccessTokens: boolean;
  /**
   * RFC 9126 §6 `require_pushed_authorization_requests`: this client's authorization requests are
   * refused unless pushed (POST /oauth/par). False for clients made before 015.
   */
  requirePushedAuthorizationRequests: boolean;
  /**
   * Registration §2 `id_token_encrypted_response_alg` and `_enc`: ID tokens are signed, then
   * encrypted to the client's key of use `enc` (a nested JWT, domain/clients/response-encryption.ts).
   * Null: not encrypted. `enc` is set whenever `alg` is (default A128CBC-HS256). Null before 017.
   */
  idTokenEncryptedResponseAlg: string | null;
  idTokenEncryptedResponseEnc: string | null;
  /** Registration §2 `userinfo_signed_response_alg`: /userinfo answers a signed JWT. Null: JSON. */
  userinfoSignedResponseAlg: string | null;
  /** Registration §2 `userinfo_encrypted_response_alg` and `_enc`, as for the ID token. */
  userinfoEncryptedResponseAlg: string | null;
  userinfoEncryptedResponseEnc: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * How a client authenticates at the token endpoint (RFC 7591 §2 names). `private_key_jwt`: an
 * assertion signed with the client's private key (RFC 7523 §2.2). `client_secret_jwt` is not among
 * them: secrets are stored hashed, and an HMAC cannot be checked against a hash (docs/security.md).
 */
export type TokenEndpointAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'none';

/** A JSON Web Key Set (RFC 7517 §5) of public keys, as registered. */
export interface ClientJwks {
  keys: Record<string, unknown>[];
}
export type SubjectType = 'public';

/**
 * `revoked`: withdrawn at once (a compromised key): unpublished, and every token it signed refused;
 * the record stays, for the listing, until its tokens would all have expired.
 */
export type SigningKeyState = 'next' | 'current' | 'retired' | 'revoked';

export interface SigningKey {
  kid: string;
  alg: string;
  /** The private JWK as JSON text (encrypted at rest where the store is configured to). */
  privateJwk: string;
  /** The public JWK as JSON text (absent for HMAC keys, which are never published). */
  publicJwk: string | null;
  state: SigningKeyState;
  createdAt: number;
  /** When it became current (signing). */
  activatedAt: number | null;
  /** When it stopped signing. */
  retiredAt: number | null;
  /** After this, no token it signed can be valid: it may be unpublished and deleted. */
  expiresAt: number | null;
}

/** A refresh-token family: one login session; its id is the access token's `sid`. */
export interface RefreshFamily {
  id: string;
  userId: string | null;
  clientId: string;
  scope: string;
  createdAt: number;
  /** Absolute end of the session, whatever the rotations. */
  expiresAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
  /**
   * When the user last typed their password for this session (epoch ms): the `auth_time` of the
   * ID tokens a refresh gives (OpenID Connect Core §12.2). Null for sessions not begun by the code
   * flow's login (the password grant, client credentials, sessions made before migration 007).
   */
  authTime: number | null;
  /**
   * The `sid` of the browser session the family was born from (the code flow's login): ending that
   * session revokes the family. Null for other grants and for families made before migration 010.
   */
  browserSid: string | null;
  /** The claims the authorization request asked for by name (Core §5.5), kept for refreshes. */
  claims: RequestedClaims | null;
  /**
   * The thumbprint of the key its refresh tokens are bound to (RFC 9449 §5: a public client's, when
   * it sent a DPoP proof): every refresh must carry a proof by that key. Null: unbound.
   */
  dpopJkt: string | null;
}

/**
 * The claims an authorization request asked for by name with the `claims` parameter (OpenID
 * Connect Core §5.5): those to put in the ID token, and those /userinfo returns besides the ones
 * its scopes release. Only names Sesame can release are kept.
 */
export interface RequestedClaims {
  userinfo: string[];
  idToken: string[];
}

/** One refresh token of a family. Only its hash is stored. */
export interface RefreshToken {
  /** SHA-256 (hex) of the token. */
  tokenHash: string;
  familyId: string;
  /** 0 for the first token of the family, +1 per rotation. */
  generation: number;
  createdAt: number;
  expiresAt: number;
  /** Set when it was exchanged for its successor. */
  rotatedAt: number | null;
}

/** What `rotateRefreshToken` found and did, atomically. */
export type RotationResult =
  /** The presented token was the family's live token: it is now rotated, and `next` is live. */
  | { kind: 'rotated'; family: RefreshFamily; previous: RefreshToken; next: RefreshToken }
  /**
   * The presented token is the immediately previous one, rotated less than `graceMs` ago (two tabs
   * refreshing at once): nothing changed; the caller answers with the same successor again.
   */
  | { kind: 'grace'; family: RefreshFamily; previous: RefreshToken; next: RefreshToken }
  /** A rotated token came back outside the grace window: the family is now revoked. */
  | { kind: 'reused'; family: RefreshFamily }
  /** Unknown, expired, or its family revoked or expired: nothing changed. */
  | { kind: 'invalid' };

export interface RotateRefreshTokenInput {
  presentedHash: string;
  /** Hash of the successor token; the caller derives it deterministically from the presented one. */
  nextHash: string;
  now: number;
  graceMs: number;
  /** Expiry of the successor (capped by the family's expiry by the store). */
  nextExpiresAt: number;
}

/**
 * An entry of the revocation feed, read by guards (`GET /oauth/revocations?since=`): one token
 * (`jti`), a session (`sid`), a user's or a client's tokens issued before a time (`user`, `client`),
 * or every token a signing key signed (`kid`).
 */
export type RevocationKind = 'jti' | 'sid' | 'user' | 'client' | 'kid';

export interface Revocation {
  /** Monotonic cursor. */
  seq: number;
  kind: RevocationKind;
  /** The jti, the sid (family id), the user id, the client id, or the kid. */
  value: string;
  /** For kinds 'user' and 'client': their tokens issued before this time are revoked. */
  issuedBefore: number | null;
  /** After this, every token the entry covers has expired: the entry can be dropped. */
  expiresAt: number;
  createdAt: number;
}

/** Which audit events to list: at or after `since` (ms), of a type, about a subject, after an id. */
export interface AuditQuery {
  since?: number;
  type?: string;
  subject?: string;
  afterId?: number;
  limit: number;
}

export interface AuditEvent {
  id: number;
  at: number;
  /** e.g. login.ok, login.failed, token.issued, refresh.reuse, revocation, key.rotated, admin.user.created */
  type: string;
  /** Who did it: a user id, a client id, 'cli', 'system'. */
  actor: string | null;
  /** What it was done to: a user id, client id, kid, family id. */
  subject: string | null;
  clientId: string | null;
  ip: string | null;
  /** Small JSON-serialisable details; never secrets or tokens. */
  details: Record<string, unknown>;
}

/** A login-failure counter. The back-off policy (accounts/throttle.ts) is computed from it. */
export interface ThrottleState {
  /** Failures counted since the window began (0 when none or the window expired). */
  failures: number;
  /** Time of the last failure, or 0. */
  lastFailureAt: number;
}

/**
 * An authorization code (RFC 6749 §4.1.2), stored by hash: single use, bound to the client, the
 * redirect URI and the PKCE challenge (RFC 7636 §4.4). The tokens minted from it are recorded so a
 * second use can revoke them.
 */
export interface AuthorizationCode {
  /** SHA-256 (hex) of the code. */
  codeHash: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** True when the authorization request named redirect_uri (then the token request must repeat it). */
  redirectUriGiven: boolean;
  scope: string;
  /** The S256 code_challenge; null for a code issued without PKCE (a client with requirePkce false). */
  codeChallenge: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  /** Set when the code was presented again after its first use. */
  reusedAt: number | null;
  /** The refresh family and access token minted from the code, once they are. */
  familyId: string | null;
  accessJti: string | null;
  /** When that access token expires (epoch ms). */
  accessExpiresAt: number | null;
  /** The authorization request's `nonce` (OpenID Connect Core §3.1.2.1), echoed in the ID token. */
  nonce: string | null;
  /**
   * When the user typed their password for the browser session the code came from (epoch ms):
   * the ID token's `auth_time`. Null for codes made before migration 007.
   */
  authTime: number | null;
  /** The `sid` of that browser session (the ID token's `sid`); null for codes made before migration 010. */
  browserSid: string | null;
  /** The claims the request asked for by name (Core §5.5); null when it asked for none. */
  claims: RequestedClaims | null;
  /**
   * The authorization request's `dpop_jkt` (RFC 9449 §10): the exchange must carry a DPoP proof
   * by that key. Null when the request named none.
   */
  dpopJkt: string | null;
}

/** A pushed authorization request (RFC 9126 §2), checked before it was kept. */
export interface PushedRequest {
  /** The SHA-256 of the request_uri's random part (never the request_uri itself). */
  id: string;
  clientId: string;
  /** The authorization request's parameters as pushed (and checked), client_id among them. */
  parameters: Record<string, string>;
  expiresAt: number;
}

/** An initial access token (RFC 7591 §3), kept by hash; the token itself is shown once. */
export interface InitialAccessToken {
  /** A short public id to list and revoke it by (never the token). */
  id: string;
  /** SHA-256 hex of the token. */
  tokenHash: string;
  /** What it is for, in the administrator's words. */
  label: string;
  createdAt: number;
  expiresAt: number;
  /** Registrations it may still make; null: any number until it expires. */
  usesLeft: number | null;
}

/** What `redeemAuthorizationCode` found and did, atomically. */
export type CodeRedemption =
  /** First use: `usedAt` is now set. */
  | { kind: 'redeemed'; code: AuthorizationCode }
  /** Used before: `reusedAt` is now set; the caller revokes what the code minted. */
  | { kind: 'reused'; code: AuthorizationCode }
  | { kind: 'unknown' };

/** A user's remembered consent to a client, for these scopes. */
export interface Consent {
  userId: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
}

/** The WeChat mini-program of a client: its appid, and where the server finds its secret. */
export interface WechatApp {
  clientId: string;
  appid: string;
  /** The name of the environment variable holding the AppSecret (the secret is never stored). */
  secretEnv: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * A browser session of the login pages: made at login, found by the SHA-256 of the cookie's random
 * token (the token itself is never stored), ended by logout, a password change or disabling the user.
 */
export interface BrowserSession {
  /** SHA-256 (base64url) of the session cookie's token. */
  id: string;
  /**
   * The session's public id: random, unrelated to the cookie, named by ID tokens and logout tokens
   * (`sid`). Null only for sessions made before migration 010.
   */
  sid: string | null;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * A client that got tokens through a browser session (OpenID Connect Back-Channel Logout 1.0 §2.7:
 * the relying parties to notify when the session ends). Kept until the session ends or expires.
 */
export interface SessionClient {
  /** The browser session's `sid`. */
  sid: string;
  clientId: string;
  userId: string;
  createdAt: number;
  /** The browser session's expiry: after it, the row is dropped. */
  expiresAt: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  // users
  createUser(user: User): Promise<void>;
  findUserById(id: string): Promise<User | undefined>;
  /** Case-insensitive. */
  findUserByName(username: string): Promise<User | undefined>;
  listUsers(options?: { limit?: number; offset?: number }): Promise<User[]>;
  updateUser(
    id: string,
    changes: Partial<Pick<User, 'passwordHash' | 'scopes' | 'disabled' | 'profile'>> & { updatedAt: number },
  ): Promise<boolean>;
  countUsers(): Promise<number>;

  // clients
  /**
   * Stores a new client; `registrationTokenHash` (RFC 7592 §1.1: the SHA-256 hex of its
   * registration access token) only for a client registered through POST /oauth/register.
   */
  createClient(client: Client, registrationTokenHash?: string): Promise<void>;
  /**
   * The SHA-256 hex of the client's registration access token: null for a client registered by an
   * administrator, undefined for no such client.
   */
  findRegistrationTokenHash(clientId: string): Promise<string | null | undefined>;
  findClient(clientId: string): Promise<Client | undefined>;
  listClients(): Promise<Client[]>;
  updateClient(
    clientId: string,
    changes: Partial<Omit<Client, 'clientId' | 'createdAt'>> & { updatedAt: number },
  ): Promise<boolean>;
  deleteClient(clientId: string): Promise<boolean>;

  // signing keys
  insertSigningKey(key: SigningKey): Promise<void>;
  listSigningKeys(): Promise<SigningKey[]>;
  /**
   * One rotation step of the keys of one algorithm (each `alg` has its own current and next key),
   * atomically: the current key retires (expiresAt = now + its tokens' maximum life), the next key
   * becomes current, `newNext` (a key of `alg`) becomes next. With `newNext` null the algorithm is given up (no
   * longer configured): its current and next keys both retire. Fails (returns false) if that
   * algorithm's current or next key changed since the caller read them (another instance rotated
   * first).
   */
  rotateSigningKeys(input: {
    alg: string;
    expectCurrent: string | null;
    expectNext: string | null;
    newNext: SigningKey | null;
    now: number;
    retiredExpiresAt: number;
  }): Promise<boolean>;
  /** Deletes retired and revoked keys whose tokens have all expired. */
  deleteExpiredSigningKeys(now: number): Promise<number>;
  /**
   * Withdraws a key at once, whatever its state: state `revoked`, `retiredAt` now (unless it had
   * stopped signing before), `expiresAt` as given. Answers the state it had before (never key
   * material), or undefined for an unknown kid. Revoking a revoked key changes nothing.
   */
  revokeSigningKey(kid: string, now: number, expiresAt: number): Promise<SigningKeyState | undefined>;

  // refresh families
  createRefreshFamily(family: RefreshFamily, first: RefreshToken): Promise<void>;
  findRefreshFamily(id: string): Promise<RefreshFamily | undefined>;
  /** The token's row, whatever its state (for revocation by token). */
  findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined>;
  /**
   * The token's row and its family's, whatever their state, in one query; undefined when either is
   * missing. With them the family's user, when it has one that exists: the refresh grant checks all
   * three before rotating, and each read was a round trip of its own on PostgreSQL.
   */
  findRefreshTokenAndFamily(
    tokenHash: string,
  ): Promise<{ token: RefreshToken; family: RefreshFamily; user?: User } | undefined>;
  rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotationResult>;
  /** Idempotent: revoking a revoked family changes nothing and returns false. */
  revokeRefreshFamily(id: string, reason: string, now: number): Promise<boolean>;
  /** Revokes every live family of a user; returns the ids revoked. */
  revokeUserFamilies(userId: string, reason: string, now: number): Promise<string[]>;
  /** Revokes every live family of a client (a client removed); returns the ids revoked. */
  revokeClientFamilies(clientId: string, reason: string, now: number): Promise<string[]>;
  listUserFamilies(userId: string, now: number): Promise<RefreshFamily[]>;

  // revocations (the denylist and the feed)
  addRevocation(entry: Omit<Revocation, 'seq'>): Promise<Revocation>;
  /** Entries after `since` (exclusive) that have not expired, in seq order. */
  listRevocations(since: number, now: number, limit: number): Promise<Revocation[]>;
  isJtiRevoked(jti: string, now: number): Promise<boolean>;
  /**
   * Deletes at most `limit` entries expired by `now` (one short transaction); answers how many.
   * A deleted entry's seq is never handed out again, so feed cursors stay monotonic.
   */
  deleteExpiredRevocations(now: number, limit: number): Promise<number>;

  // single-use markers (authorization codes, WeChat codes): true the first time only
  markUsedOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
  /**
   * Remembers an accepted DPoP proof (RFC 9449 §11.1) until `expiresAt`: true the first time, false
   * while it is remembered. One atomic set-if-absent; throws (ERR_STORE_UNAVAILABLE) when it cannot
   * tell, so the proof is refused rather than accepted unchecked.
   */
  rememberDpopProof(key: string, expiresAt: number, now: number): Promise<boolean>;

  // pushed authorization requests (RFC 9126)
  /** Keeps a pushed request until it is taken or expires. */
  savePushedRequest(request: PushedRequest, now: number): Promise<void>;
  /**
   * Takes a pushed request of `clientId`: its parameters the first time, while unexpired; undefined
   * when unknown, another client's, expired or already taken (RFC 9126 §7.3 one-time use). One
   * atomic conditional update: two concurrent takes never both succeed; another client's attempt
   * does not spend it.
   */
  takePushedRequest(id: string, clientId: string, now: number): Promise<Record<string, string> | undefined>;

  // initial access tokens (RFC 7591 §3): made by an administrator, spent by registrations
  createInitialAccessToken(token: InitialAccessToken): Promise<void>;
  /**
   * Spends one use of the token with this hash, if it is unexpired and has a use left: one atomic
   * conditional update, so a single-use token registers exactly one client however many race.
   * Answers the token's id, or undefined when refused.
   */
  spendInitialAccessToken(tokenHash: string, now: number): Promise<string | undefined>;
  listInitialAccessTokens(): Promise<InitialAccessToken[]>;
  /** False when there is no token with this id. */
  deleteInitialAccessToken(id: string): Promise<boolean>;

  // login throttling: atomic counters with expiry
  /** Atomically adds one failure (starting a new window when the old one is over) and returns the state. */
  recordLoginFailure(key: string, now: number, windowMs: number): Promise<ThrottleState>;
  getThrottle(key: string, now: number): Promise<ThrottleState>;
  clearThrottle(key: string): Promise<void>;

  // audit
  addAuditEvent(event: Omit<AuditEvent, 'id'>): Promise<void>;
  /**
   * Audit events, newest first; with `afterId`, those with a larger id oldest first (an export
   * pages through the trail in the order it was written, and resumes where it stopped).
   */
  listAuditEvents(options: AuditQuery): Promise<AuditEvent[]>;
  /** The id of the last audit event the sink `name` delivered (0: none yet). */
  getAuditCursor(name: string): Promise<number>;
  /** Records that the sink `name` delivered every event up to `lastId`; never moves it back. */
  advanceAuditCursor(name: string, lastId: number, at: number): Promise<void>;

  // authorization codes: single use, by hash
  /** Inserts a code; codes that expired more than an hour ago are dropped on the way. */
  createAuthorizationCode(code: AuthorizationCode): Promise<void>;
  findAuthorizationCode(codeHash: string): Promise<AuthorizationCode | undefined>;
  /** Marks the code used, atomically: exactly one caller ever gets 'redeemed'. */
  redeemAuthorizationCode(codeHash: string, now: number): Promise<CodeRedemption>;
  /** Records what the code minted; answers the row after the write (was it reused meanwhile?). */
  recordCodeTokens(
    codeHash: string,
    tokens: { familyId: string | null; accessJti: string | null; accessExpiresAt: number | null },
  ): Promise<AuthorizationCode | undefined>;

  // consents
  /** Inserts or replaces the consent of a user to a client. */
  saveConsent(consent: Consent): Promise<void>;
  findConsent(userId: string, clientId: string): Promise<Consent | undefined>;
  listConsents(userId: string): Promise<Consent[]>;
  deleteConsent(userId: string, clientId: string): Promise<boolean>;

  // WeChat mini-program login
  /** Inserts or replaces the WeChat app of a client. */
  setWechatApp(app: WechatApp): Promise<void>;
  findWechatApp(clientId: string): Promise<WechatApp | undefined>;
  deleteWechatApp(clientId: string): Promise<boolean>;
  /**
   * The user of a WeChat identity, atomically: the one linked to (appid, openid); else the one
   * linked to the same unionid (the openid is linked to it); else `newUser`, created and linked.
   */
  linkWechatUser(input: {
    appid: string;
    openid: string;
    unionid: string | null;
    newUser: User;
    now: number;
  }): Promise<{ userId: string; created: boolean }>;

  // browser sessions of the login pages
  /** Inserts a session; the user's sessions that are over are dropped on the way. */
  createBrowserSession(session: BrowserSession): Promise<void>;
  /** The session with this id, unless it ended or expired. */
  findBrowserSession(id: string, now: number): Promise<BrowserSession | undefined>;
  /** The live session with this public id (`sid`), unless it ended or expired. */
  findBrowserSessionBySid(sid: string, now: number): Promise<BrowserSession | undefined>;
  /** Ends one session (logout); answers it, or undefined when there was none (ended already). */
  endBrowserSession(id: string): Promise<BrowserSession | undefined>;
  /** Ends every session of a user (password change, disabled); answers those that were live. */
  endUserBrowserSessions(userId: string, now: number): Promise<BrowserSession[]>;
  /**
   * Records that a client got tokens through a session; recording it again changes nothing. Rows
   * whose session has expired are dropped on the way.
   */
  addSessionClient(entry: SessionClient): Promise<void>;
  /**
   * Removes and answers the clients of a session, atomically: of two concurrent callers for one
   * `sid`, each client is answered to one only (so each is told once that the session ended).
   */
  takeSessionClients(sid: string): Promise<SessionClient[]>;
  /** Revokes every live refresh family born from a browser session; answers their ids. */
  revokeBrowserSessionFamilies(sid: string, reason: string, now: number): Promise<string[]>;

  // scope descriptions: what a scope lets a client do, in words (consent page, `sesame scopes`)
  /** Sets (or replaces) the description of a scope. */
  setScopeDescription(name: string, description: string, at: number): Promise<void>;
  /** Every described scope: name → description. */
  listScopeDescriptions(): Promise<Record<string, string>>;

  // settings: small server-wide values (e.g. the refresh-token derivation secret)
  getSetting(name: string): Promise<string | undefined>;
  /** Sets only if absent; returns the value now stored (so concurrent first starts agree). */
  initSetting(name: string, value: string): Promise<string>;

  /** A cheap round trip, for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Distributed mode only (store/redis/store.ts); absent on a store used by one process.
  /** Calls `listener` when any instance appended to the revocation feed (Redis pub/sub). */
  watchRevocations?(listener: () => void): () => void;
  /** Calls `listener` when any process changed the signing keys (a rotation, `sesame keys rotate`). */
  watchSigningKeys?(listener: () => void): () => void;
  /** False while revocations cannot be checked live and the operator chose to fail closed. */
  revocationsLive?(): boolean;
  /** Services beside the database and whether they answer, for /readyz. */
  dependencies?(): Record<string, 'ok' | 'unavailable'>;
}
