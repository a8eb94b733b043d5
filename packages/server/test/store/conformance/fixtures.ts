/** Shared fixtures of the store conformance suite: a fresh store per test, and row factories. */
import { createHash, randomBytes } from 'node:crypto';
import type {
  Client,
  RefreshFamily,
  RefreshToken,
  SigningKey,
  Store,
  User,
} from '../../../src/store/types.js';

/** Opens a fresh, empty store; `openSecond` opens another instance (own connection) on the same data. */
export type OpenStore = () => Promise<{ store: Store; openSecond: () => Promise<Store> }>;

export interface ConformanceContext {
  /** The store of the running test (fresh and empty at its start). */
  readonly store: Store;
  /** A second instance on the same data, closed after the test. */
  second(): Promise<Store>;
}

export const T0 = 1_700_000_000_000;
export const MINUTE = 60_000;
export const DAY = 86_400_000;

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${randomBytes(4).toString('hex')}`;

export function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: unique('u'),
    username: unique('user'),
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    scopes: ['openid', 'quiz'],
    disabled: false,
    profile: {},
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function aClient(overrides: Partial<Client> = {}): Client {
  return {
    clientId: unique('c'),
    name: 'A client',
    type: 'confidential',
    secretHash: hash('secret'),
    grantTypes: ['password', 'refresh_token'],
    scopes: ['openid'],
    redirectUris: ['https://app.example/cb'],
    audience: ['https://api.example'],
    permissions: ['revocations'],
    postLogoutRedirectUris: ['https://app.example/bye'],
    backchannelLogoutUri: 'https://app.example/logout',
    idTokenSignedResponseAlg: null,
    tokenEndpointAuthMethod: 'client_secret_basic',
    requirePkce: false,
    subjectType: 'public',
    jwks: null,
    jwksUri: null,
    dpopBoundAccessTokens: false,
    requirePushedAuthorizationRequests: false,
    idTokenEncryptedResponseAlg: null,
    idTokenEncryptedResponseEnc: null,
    userinfoSignedResponseAlg: null,
    userinfoEncryptedResponseAlg: null,
    userinfoEncryptedResponseEnc: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function aKey(state: SigningKey['state'], overrides: Partial<SigningKey> = {}): SigningKey {
  return {
    kid: unique('k'),
    alg: 'ES256',
    privateJwk: '{"kty":"EC","d":"private"}',
    publicJwk: '{"kty":"EC"}',
    state,
    createdAt: T0,
    activatedAt: state === 'current' ? T0 : null,
    retiredAt: null,
    expiresAt: null,
    ...overrides,
  };
}

/** A family with its first token (generation 0); the token string is returned for presenting. */
export function aFamily(overrides: Partial<RefreshFamily> = {}): {
  family: RefreshFamily;
  first: RefreshToken;
  token: string;
} {
  const family: RefreshFamily = {
    id: unique('f'),
    userId: 'u-1',
    clientId: 'c-1',
    scope: 'openid quiz',
    createdAt: T0,
    expiresAt: T0 + 30 * DAY,
    revokedAt: null,
    revokedReason: null,
    authTime: null,
    browserSid: null,
    claims: null,
    dpopJkt: null,
    ...overrides,
  };
  const token = unique('rt');
  const first: RefreshToken = {
    tokenHash: hash(token),
    familyId: family.id,
    generation: 0,
    createdAt: family.createdAt,
    expiresAt: family.createdAt + 14 * DAY,
    rotatedAt: null,
  };
  return { family, first, token };
}

/** The successor of a token, derived deterministically as the real caller does. */
export function successorOf(token: string): string {
  return `${token}>`;
}

export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

/** The `i`th audit event of a run: a token issued, with some of its optional fields empty. */
export function anAuditEvent(i: number) {
  return {
    at: T0 + i,
    type: 'token.issued',
    actor: `client-${i}`,
    subject: i % 2 ? `family-${i}` : null,
    clientId: `client-${i}`,
    ip: i % 3 ? '127.0.0.1' : null,
    details: { grant_type: 'client_credentials', scope: 'api', jti: `j${i}` },
  };
}
