/**
 * Row ⇄ domain mapping, shared by every SQL dialect: 0/1 ⇄ boolean, JSON text ⇄ lists, bigint
 * columns ⇄ numbers (node-postgres hands bigints back as strings, better-sqlite3 as numbers).
 */

import type { Selectable } from 'kysely';
import type {
  AuditEvent,
  Client,
  RefreshFamily,
  RefreshToken,
  RequestedClaims,
  Revocation,
  RotationResult,
  SigningKey,
  User,
  UserProfile,
} from '../types.js';
import type {
  AuditEventsTable,
  ClientsTable,
  RefreshFamiliesTable,
  RefreshTokensTable,
  RevocationsTable,
  SigningKeysTable,
  UsersTable,
} from './schema.js';

/** A bigint column value as a number (times in ms and cursors stay far below 2^53). */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function list(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.map(String) : [];
}

/** The profile column: a JSON object (the domain validated it before it was written). */
export function profileOf(text: string | null | undefined): UserProfile {
  if (!text) return {};
  const value: unknown = JSON.parse(text);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as UserProfile) : {};
}

/** The unique key of a username: case-insensitive uniqueness is decided here, once. */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    scopes: list(row.scopes),
    disabled: num(row.disabled) !== 0,
    profile: profileOf(row.profile),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

export function toClient(row: Selectable<ClientsTable>): Client {
  return {
    clientId: row.client_id,
    name: row.name,
    type: row.type as Client['type'],
    secretHash: row.secret_hash,
    grantTypes: list(row.grant_types),
    scopes: list(row.scopes),
    redirectUris: list(row.redirect_uris),
    audience: list(row.audience),
    permissions: list(row.permissions),
    postLogoutRedirectUris: list(row.post_logout_redirect_uris),
    backchannelLogoutUri: row.backchannel_logout_uri,
    idTokenSignedResponseAlg: row.id_token_signed_response_alg,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as Client['tokenEndpointAuthMethod'],
    requirePkce: num(row.require_pkce) !== 0,
    subjectType: row.subject_type as Client['subjectType'],
    jwks: row.jwks === null ? null : (JSON.parse(row.jwks) as Client['jwks']),
    jwksUri: row.jwks_uri,
    dpopBoundAccessTokens: num(row.dpop_bound_access_tokens) !== 0,
    requirePushedAuthorizationRequests: num(row.require_pushed_authorization_requests) !== 0,
    idTokenEncryptedResponseAlg: row.id_token_encrypted_response_alg,
    idTokenEncryptedResponseEnc: row.id_token_encrypted_response_enc,
    userinfoSignedResponseAlg: row.userinfo_signed_response_alg,
    userinfoEncryptedResponseAlg: row.userinfo_encrypted_response_alg,
    userinfoEncryptedResponseEnc: row.userinfo_encrypted_response_enc,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

export function toSigningKey(row: Selectable<SigningKeysTable>): SigningKey {
  return {
    kid: row.kid,
    alg: row.alg,
    privateJwk: row.private_jwk,
    publicJwk: row.public_jwk,
    state: row.state as SigningKey['state'],
    createdAt: num(row.created_at),
    activatedAt: numOrNull(row.activated_at),
    retiredAt: numOrNull(row.retired_at),
    expiresAt: numOrNull(row.expires_at),
  };
}

export function fromSigningKey(key: SigningKey): Selectable<SigningKeysTable> {
  return {
    kid: key.kid,
    alg: key.alg,
    private_jwk: key.privateJwk,
    public_jwk: key.publicJwk,
    state: key.state,
    created_at: key.createdAt,
    activated_at: key.activatedAt,
    retired_at: key.retiredAt,
    expires_at: key.expiresAt,
  };
}

export function toFamily(row: Selectable<RefreshFamiliesTable>): RefreshFamily {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    scope: row.scope,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    revokedAt: numOrNull(row.revoked_at),
    revokedReason: row.revoked_reason,
    authTime: numOrNull(row.auth_time),
    browserSid: row.browser_sid,
    claims: claimsFromColumn(row.claims),
    dpopJkt: row.dpop_jkt,
  };
}

/** The `claims` column (009): JSON `{"userinfo":[…],"id_token":[…]}`, or NULL for none. */
export function claimsToColumn(claims: RequestedClaims | null): string | null {
  return claims === null ? null : JSON.stringify({ userinfo: claims.userinfo, id_token: claims.idToken });
}

/** The `claims` column read back; anything but the shape written is no request at all. */
export function claimsFromColumn(text: string | null): RequestedClaims | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as { userinfo?: unknown; id_token?: unknown };
    const names = (list: unknown) =>
      Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string') : [];
    return { userinfo: names(value.userinfo), idToken: names(value.id_token) };
  } catch {
    return null;
  }
}

export function toRefreshToken(row: Selectable<RefreshTokensTable>): RefreshToken {
  return {
    tokenHash: row.token_hash,
    familyId: row.family_id,
    generation: num(row.generation),
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    rotatedAt: numOrNull(row.rotated_at),
  };
}

export function toRevocation(row: Selectable<RevocationsTable>): Revocation {
  return {
    seq: num(row.seq),
    kind: row.kind as Revocation['kind'],
    value: row.value,
    issuedBefore: numOrNull(row.issued_before),
    expiresAt: num(row.expires_at),
    createdAt: num(row.created_at),
  };
}

export function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    // a damaged details column must not hide the event itself
  }
  return {
    id: num(row.id),
    at: num(row.at),
    type: row.type,
    actor: row.actor,
    subject: row.subject,
    clientId: row.client_id,
    ip: row.ip,
    details,
  };
}

/**
 * The answer of a rotation that claimed the presented token: it, now rotated, and its successor.
 * Built the same way by each dialect's one-step rotation (postgres-rotation.ts, sqlite-rotation.ts).
 */
export function rotatedResult(
  family: RefreshFamily,
  input: { presentedHash: string; nextHash: string; now: number },
  claimed: { generation: number; createdAt: number; expiresAt: number },
  nextExpiresAt: number,
): Extract<RotationResult, { kind: 'rotated' }> {
  const { presentedHash, nextHash, now } = input;
  return {
    kind: 'rotated',
    family,
    previous: { tokenHash: presentedHash, familyId: family.id, ...claimed, rotatedAt: now },
    next: {
      tokenHash: nextHash,
      familyId: family.id,
      generation: claimed.generation + 1,
      createdAt: now,
      expiresAt: nextExpiresAt,
      rotatedAt: null,
    },
  };
}
