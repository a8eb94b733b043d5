/**
 * Refresh tokens in families (RFC 9700 §4.14.2, refresh token rotation): opaque 256-bit random
 * strings, stored only as SHA-256, rotated on every use. The successor of a token is derived
 * deterministically — HMAC-SHA256 of the presented token under a server secret kept in the store's
 * settings — so a request that arrives within the grace window with the immediately previous token
 * (two tabs refreshing at once) gets the SAME successor again, and the successor is never stored
 * in clear. Presenting a rotated token outside that window revokes its family, and only its family.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { RefreshFamily, RefreshToken, RequestedClaims, Store, User } from '../../store/types.js';
import type { Denylist } from './denylist.js';

export interface RefreshFamiliesOptions {
  store: Store;
  now?: () => number;
  /** The grace window for the immediately previous token (default 30 s; 0 disables it). */
  graceMs?: number;
  /** Life of each refresh token: a session unused this long ends (default 14 days). */
  tokenTtlMs?: number;
  /** Absolute life of a family, whatever the rotations (default 30 days). */
  familyTtlMs?: number;
  /** When given, every family revocation also revokes its access tokens (`sid` entries). */
  denylist?: Denylist;
}

/** What `rotate` answers; on success, the refresh token to hand back and the session it belongs to. */
export type RefreshOutcome =
  | { ok: true; kind: 'rotated' | 'grace'; family: RefreshFamily; refreshToken: string; expiresAt: number }
  | { ok: false; kind: 'reused'; family: RefreshFamily }
  | { ok: false; kind: 'invalid' };

export interface RefreshFamilies {
  /**
   * A new session: a family with its first token. `userId` is null for client-only sessions;
   * `authTime` (epoch ms) and `browserSid` are given by the code flow only: when the user's
   * password was checked, and the browser session whose end ends this family too.
   */
  issue(input: {
    userId: string | null;
    clientId: string;
    scope: string;
    authTime?: number | null;
    browserSid?: string | null;
    /** The claims the authorization request asked for by name (Core §5.5), for the refreshes. */
    claims?: RequestedClaims | null;
    /** RFC 9449 §5: the key thumbprint its refresh tokens are bound to (a public client's proof). */
    dpopJkt?: string | null;
  }): Promise<{
    family: RefreshFamily;
    refreshToken: string;
    expiresAt: number;
  }>;
  rotate(presented: string): Promise<RefreshOutcome>;
  /** The family of a token (any generation), for revocation and client checks; undefined if unknown. */
  familyOf(presented: string): Promise<RefreshFamily | undefined>;
  /**
   * The family of a token (any generation) and the family's user when it has one that exists, in
   * one read: what the refresh grant checks before rotating. Undefined if the token is unknown.
   */
  sessionOf(presented: string): Promise<{ family: RefreshFamily; user?: User } | undefined>;
  /** A token's own record and its family, whatever their state: for introspection (RFC 7662). */
  inspect(presented: string): Promise<{ token: RefreshToken; family: RefreshFamily } | undefined>;
  /** RFC 7009 §2.1: revoking a refresh token revokes its family. Answers the family id, if any. */
  revokeByToken(presented: string, reason: string): Promise<string | undefined>;
  revokeFamily(familyId: string, reason: string): Promise<boolean>;
  revokeUser(userId: string, reason: string): Promise<string[]>;
  /** Revokes every family born from a browser session (its `sid`), with their `sid` entries. */
  revokeBrowserSession(browserSid: string, reason: string): Promise<string[]>;
  /**
   * Revokes every live family of a client, without a `sid` entry each: the caller denylists the
   * client's access tokens with one `client` entry instead (tokens/withdraw.ts `withdrawClient`).
   */
  revokeClient(clientId: string, reason: string): Promise<string[]>;
}

export const REFRESH_SECRET_SETTING = 'refresh_token_successor_secret';
const TOKEN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url: anything else is not ours

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The refresh-token families over a store.
 *
 * @example
 * const refresh = createRefreshFamilies({ store, denylist });
 * const { refreshToken, family } = await refresh.issue({ userId: user.id, clientId, scope });
 * const outcome = await refresh.rotate(presented);
 * if (!outcome.ok) throw invalidGrant(); // 'reused' already revoked the family
 */
export function createRefreshFamilies(options: RefreshFamiliesOptions): RefreshFamilies {
  const { store, denylist } = options;
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? 30_000;
  const tokenTtl = options.tokenTtlMs ?? 14 * 86_400_000;
  const familyTtl = options.familyTtlMs ?? 30 * 86_400_000;
  let secret: Promise<Buffer> | undefined;

  // initSetting: concurrent first starts (and every process on the store) agree on one secret.
  const successorOf = async (presented: string): Promise<string> => {
    secret ??= store
      .initSetting(REFRESH_SECRET_SETTING, randomBytes(32).toString('base64url'))
      .then((value) => Buffer.from(value, 'base64url'));
    secret.catch(() => {
      secret = undefined; // a store hiccup must not poison every later refresh
    });
    return createHmac('sha256', await secret)
      .update(`sesame refresh successor v1\0${presented}`)
      .digest('base64url');
  };
  const revoked = async (familyId: string, reason: string): Promise<boolean> => {
    const changed = await store.revokeRefreshFamily(familyId, reason, now());
    if (changed) await denylist?.revokeSession(familyId);
    return changed;
  };

  const api: RefreshFamilies = {
    async issue({ userId, clientId, scope, authTime, browserSid, claims, dpopJkt }) {
      const at = now();
      const refreshToken = randomBytes(32).toString('base64url');
      const family: RefreshFamily = {
        id: randomUUID(),
        userId,
        clientId,
        scope,
        createdAt: at,
        expiresAt: at + familyTtl,
        revokedAt: null,
        revokedReason: null,
        authTime: authTime ?? null,
        browserSid: browserSid ?? null,
        claims: claims ?? null,
        dpopJkt: dpopJkt ?? null,
      };
      const expiresAt = Math.min(at + tokenTtl, family.expiresAt);
      const first = {
        tokenHash: sha256(refreshToken),
        familyId: family.id,
        generation: 0,
        createdAt: at,
        expiresAt,
        rotatedAt: null,
      };
      await store.createRefreshFamily(family, first);
      return { family, refreshToken, expiresAt };
    },

    async rotate(presented: string): Promise<RefreshOutcome> {
      if (typeof presented !== 'string' || !TOKEN.test(presented)) return { ok: false, kind: 'invalid' };
      const at = now();
      const refreshToken = await successorOf(presented);
      const result = await store.rotateRefreshToken({
        presentedHash: sha256(presented),
        nextHash: sha256(refreshToken),
        now: at,
        graceMs,
        nextExpiresAt: at + tokenTtl,
      });
      switch (result.kind) {
        case 'rotated':
        case 'grace':
          return {
            ok: true,
            kind: result.kind,
            family: result.family,
            refreshToken,
            expiresAt: result.next.expiresAt,
          };
        case 'reused':
          // The store revoked the family; its access tokens go too (RFC 9700 §4.14.2).
          await denylist?.revokeSession(result.family.id);
          return { ok: false, kind: 'reused', family: result.family };
        default:
          return { ok: false, kind: 'invalid' };
      }
    },

    async familyOf(presented: string) {
      if (typeof presented !== 'string' || !TOKEN.test(presented)) return undefined;
      return (await store.findRefreshTokenAndFamily(sha256(presented)))?.family;
    },
    async sessionOf(presented: string) {
      if (typeof presented !== 'string' || !TOKEN.test(presented)) return undefined;
      const found = await store.findRefreshTokenAndFamily(sha256(presented));
      return found && { family: found.family, user: found.user };
    },
    async inspect(presented: string) {
      if (typeof presented !== 'string' || !TOKEN.test(presented)) return undefined;
      return store.findRefreshTokenAndFamily(sha256(presented));
    },
    async revokeByToken(presented: string, reason: string) {
      if (typeof presented !== 'string' || !TOKEN.test(presented)) return undefined;
      const token = await store.findRefreshToken(sha256(presented));
      if (!token) return undefined;
      await revoked(token.familyId, reason);
      return token.familyId;
    },
    revokeFamily: revoked,
    async revokeUser(userId: string, reason: string) {
      const ids = await store.revokeUserFamilies(userId, reason, now());
      if (denylist) for (const id of ids) await denylist.revokeSession(id);
      return ids;
    },
    async revokeBrowserSession(browserSid: string, reason: string) {
      const ids = await store.revokeBrowserSessionFamilies(browserSid, reason, now());
      if (denylist) for (const id of ids) await denylist.revokeSession(id);
      return ids;
    },
    revokeClient: (clientId: string, reason: string) => store.revokeClientFamilies(clientId, reason, now()),
  };
  return Object.freeze(api);
}
