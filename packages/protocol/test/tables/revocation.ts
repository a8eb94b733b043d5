import type { RevocableClaims, RevocationKind, RevocationRecord } from '../../src/index.js';

/**
 * THE table of the revocation match rule. Each row stores revocations as the server does
 * (milliseconds) at NOW_MS, then asks whether a token with these claims (and header `kid`) is
 * revoked, and by which kind. Run through the protocol's RevocationList (after the wire
 * encoding), the server's denylist, and the guard following the server's feed.
 */
export const NOW_MS = 1_700_000_000_500; // half-way through a second
export const NOW_S = Math.floor(NOW_MS / 1000);
const LIFE_MS = 15 * 60_000 + 60_000;

export type StoredRevocation = Omit<RevocationRecord, 'seq' | 'createdAt'>;

const user = (value: string, atMs = NOW_MS): StoredRevocation => ({
  kind: 'user',
  value,
  issuedBefore: atMs,
  expiresAt: atMs + LIFE_MS,
});
const client = (value: string, atMs = NOW_MS): StoredRevocation => ({ ...user(value, atMs), kind: 'client' });
const plain = (kind: 'jti' | 'sid' | 'kid', value: string): StoredRevocation => ({
  kind,
  value,
  issuedBefore: null,
  expiresAt: NOW_MS + LIFE_MS,
});

export interface RevocationRow {
  name: string;
  stored: StoredRevocation[];
  claims: RevocableClaims;
  kid?: string;
  revokedBy: RevocationKind | undefined;
}

export const revocationTable: readonly RevocationRow[] = [
  { name: 'a revoked jti', stored: [plain('jti', 'j1')], claims: { jti: 'j1' }, revokedBy: 'jti' },
  {
    name: 'a revoked session',
    stored: [plain('sid', 's1')],
    claims: { jti: 'j2', sid: 's1' },
    revokedBy: 'sid',
  },
  {
    name: 'a revoked signing key (header kid)',
    stored: [plain('kid', 'k1')],
    claims: { sub: 'u' },
    kid: 'k1',
    revokedBy: 'kid',
  },
  {
    name: "a user's token from an earlier second",
    stored: [user('u1')],
    claims: { sub: 'u1', iat: NOW_S - 1 },
    revokedBy: 'user',
  },
  {
    name: "a user's token from the revocation's own second (it may predate it)",
    stored: [user('u1')],
    claims: { sub: 'u1', iat: NOW_S },
    revokedBy: 'user',
  },
  { name: "a user's token without iat", stored: [user('u1')], claims: { sub: 'u1' }, revokedBy: 'user' },
  {
    name: "a user's token with a string iat",
    stored: [user('u1')],
    claims: { sub: 'u1', iat: String(NOW_S + 5) },
    revokedBy: 'user',
  },
  {
    name: "a client's token from the revocation's own second",
    stored: [client('c1')],
    claims: { client_id: 'c1', iat: NOW_S },
    revokedBy: 'client',
  },
  {
    name: 'two cut-offs for one user: the later wins',
    stored: [user('u1', NOW_MS - 60_000), user('u1')],
    claims: { sub: 'u1', iat: NOW_S - 30 },
    revokedBy: 'user',
  },
  // Negative cases.
  {
    name: 'another jti',
    stored: [plain('jti', 'j1')],
    claims: { jti: 'j9', sid: 's9', sub: 'u9', iat: NOW_S },
    revokedBy: undefined,
  },
  {
    name: "a user's token from the next second",
    stored: [user('u1')],
    claims: { sub: 'u1', iat: NOW_S + 1 },
    revokedBy: undefined,
  },
  {
    name: "a client's token from the next second",
    stored: [client('c1')],
    claims: { client_id: 'c1', iat: NOW_S + 1 },
    revokedBy: undefined,
  },
  {
    name: 'a user entry does not match a client_id',
    stored: [user('x')],
    claims: { client_id: 'x', iat: NOW_S - 60 },
    revokedBy: undefined,
  },
  {
    name: 'a client entry does not match a sub',
    stored: [client('x')],
    claims: { sub: 'x', iat: NOW_S - 60 },
    revokedBy: undefined,
  },
  {
    name: 'a kid entry does not match a payload kid',
    stored: [plain('kid', 'k1')],
    claims: { kid: 'k1' } as RevocableClaims,
    revokedBy: undefined,
  },
  {
    name: 'a kid entry and another header kid',
    stored: [plain('kid', 'k1')],
    claims: {},
    kid: 'k2',
    revokedBy: undefined,
  },
  {
    name: 'a jti entry does not match a sid',
    stored: [plain('jti', 'v')],
    claims: { sid: 'v' },
    revokedBy: undefined,
  },
  {
    name: 'a jti claim that is not a string',
    stored: [plain('jti', 'j1')],
    claims: { jti: ['j1'] },
    revokedBy: undefined,
  },
  {
    name: 'an entry already expired when stored',
    stored: [{ kind: 'jti', value: 'j1', issuedBefore: null, expiresAt: NOW_MS - 1000 }],
    claims: { jti: 'j1' },
    revokedBy: undefined,
  },
];
