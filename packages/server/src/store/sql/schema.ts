/**
 * The tables as Kysely sees them (snake_case, as created by migrations/). Column types are the
 * ones both SQLite and PostgreSQL accept: text, integer and bigint. Booleans are 0/1 integers
 * (better-sqlite3 cannot bind a JS boolean) and lists are JSON text, so one set of queries serves
 * both dialects. Times are epoch milliseconds in bigint columns.
 */
import type { Generated } from 'kysely';

/**
 * A bigint column. better-sqlite3 returns a number; node-postgres returns a string unless a type
 * parser is installed, so rows pass through `num()` (rows.ts) on the way out.
 */
type Big = number;

export interface UsersTable {
  id: string;
  username: string;
  /** username.toLowerCase(): the unique key that makes usernames case-insensitive. */
  username_key: string;
  password_hash: string;
  scopes: string;
  disabled: number;
  /** JSON object of the OpenID Connect profile claims (migration 006). */
  profile: string;
  created_at: Big;
  updated_at: Big;
}

export interface ClientsTable {
  client_id: string;
  name: string;
  type: string;
  secret_hash: string | null;
  grant_types: string;
  scopes: string;
  redirect_uris: string;
  audience: string;
  /** JSON list; added by 003_client_permissions. */
  permissions: string;
  /** Added by 008_client_registration: a JSON list, a URI or null, names, 0/1. */
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string | null;
  id_token_signed_response_alg: string | null;
  token_endpoint_auth_method: string | null;
  require_pkce: number;
  subject_type: string;
  /** Added by 013_client_keys: a JSON Web Key Set as JSON text, and a URL; null when none. */
  jwks: string | null;
  jwks_uri: string | null;
  /** Added by 012_dpop: 0/1. */
  dpop_bound_access_tokens: number;
  /** Added by 015_pushed_requests: 0/1. */
  require_pushed_authorization_requests: number;
  /** Added by 016_dynamic_registration: SHA-256 hex of the registration access token, or null. */
  registration_token_hash: string | null;
  /** Added by 017_client_encryption: Registration §2 response signing and encryption; null: none. */
  id_token_encrypted_response_alg: string | null;
  id_token_encrypted_response_enc: string | null;
  userinfo_signed_response_alg: string | null;
  userinfo_encrypted_response_alg: string | null;
  userinfo_encrypted_response_enc: string | null;
  created_at: Big;
  updated_at: Big;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string | null;
  state: string;
  created_at: Big;
  activated_at: Big | null;
  retired_at: Big | null;
  expires_at: Big | null;
}

export interface RefreshFamiliesTable {
  id: string;
  user_id: string | null;
  client_id: string;
  scope: string;
  created_at: Big;
  expires_at: Big;
  revoked_at: Big | null;
  revoked_reason: string | null;
  /** Added by 007_oidc_codes. */
  auth_time: Big | null;
  /** Added by 010_logout_sessions. */
  browser_sid: string | null;
  /** Added by 009_claims_request: JSON text, see rows.ts. */
  claims: string | null;
  /** Added by 012_dpop. */
  dpop_jkt: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  generation: number;
  created_at: Big;
  expires_at: Big;
  rotated_at: Big | null;
}

export interface RevocationsTable {
  seq: Generated<Big>;
  kind: string;
  value: string;
  issued_before: Big | null;
  expires_at: Big;
  created_at: Big;
}

export interface UsedOnceTable {
  key: string;
  expires_at: Big;
}

/** Added by 015_pushed_requests (RFC 9126). */
export interface PushedRequestsTable {
  id: string;
  client_id: string;
  /** JSON text: the checked parameters, an object of strings. */
  parameters: string;
  expires_at: Big;
  used: Generated<number>;
}

/** Added by 016_dynamic_registration (RFC 7591 §3 initial access tokens). */
export interface InitialAccessTokensTable {
  id: string;
  token_hash: string;
  label: string;
  created_at: Big;
  expires_at: Big;
  uses_left: number | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: Big;
  /** End of the current window: last failure + window (a quiet period resets the count). */
  window_ends_at: Big;
}

export interface AuditEventsTable {
  id: Generated<Big>;
  at: Big;
  type: string;
  actor: string | null;
  subject: string | null;
  client_id: string | null;
  ip: string | null;
  details: string;
}

export interface ScopeDescriptionsTable {
  name: string;
  description: string;
  updated_at: number;
}

export interface SettingsTable {
  name: string;
  value: string;
}

export interface AuthorizationCodesTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  redirect_uri_given: number;
  scope: string;
  code_challenge: string;
  created_at: Big;
  expires_at: Big;
  used_at: Big | null;
  reused_at: Big | null;
  family_id: string | null;
  access_jti: string | null;
  access_expires_at: Big | null;
  /** Added by 007_oidc_codes. */
  nonce: string | null;
  auth_time: Big | null;
  /** Added by 010_logout_sessions. */
  browser_sid: string | null;
  /** Added by 009_claims_request: JSON text, see rows.ts. */
  claims: string | null;
  /** Added by 012_dpop. */
  dpop_jkt: string | null;
}

export interface ConsentsTable {
  user_id: string;
  client_id: string;
  scopes: string;
  created_at: Big;
  updated_at: Big;
}

export interface WechatAppsTable {
  client_id: string;
  appid: string;
  secret_env: string;
  created_at: Big;
  updated_at: Big;
}

export interface WechatIdentitiesTable {
  appid: string;
  openid: string;
  unionid: string | null;
  user_id: string;
  created_at: Big;
}

/** The whole database, for `Kysely<Database>`. */
export interface BrowserSessionsTable {
  /** SHA-256 of the session cookie's token. */
  id: string;
  /** Added by 010_logout_sessions: the public id, null for older rows. */
  sid: string | null;
  user_id: string;
  created_at: Big;
  expires_at: Big;
}

/** The clients that got tokens through a browser session (010_logout_sessions). */
export interface SessionClientsTable {
  sid: string;
  client_id: string;
  user_id: string;
  created_at: Big;
  expires_at: Big;
}

/** How far each audit sink has delivered the trail (014_audit_cursors). */
export interface AuditCursorsTable {
  name: string;
  last_id: Big;
  updated_at: Big;
}

export interface Database {
  users: UsersTable;
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  refresh_families: RefreshFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  used_once: UsedOnceTable;
  dpop_proofs: UsedOnceTable;
  pushed_requests: PushedRequestsTable;
  initial_access_tokens: InitialAccessTokensTable;
  login_throttle: LoginThrottleTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
  audit_cursors: AuditCursorsTable;
  authorization_codes: AuthorizationCodesTable;
  consents: ConsentsTable;
  wechat_apps: WechatAppsTable;
  wechat_identities: WechatIdentitiesTable;
  browser_sessions: BrowserSessionsTable;
  session_clients: SessionClientsTable;
  scope_descriptions: ScopeDescriptionsTable;
}
