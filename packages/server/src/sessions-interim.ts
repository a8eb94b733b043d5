/**
 * INTERIM refresh sessions and access-token denylist, used by wiring.ts until
 * src/tokens/refresh-families.ts and src/tokens/denylist.ts land (the data-layer engineer's
 * modules); then this file goes. The atomic parts (rotation, reuse detection, grace) are the
 * store's `rotateRefreshToken`.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { SesameConfig } from './config.js';
import type { AccessTokenRevocations, RefreshSessions } from './services.js';
import type { Store } from './store/types.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export async function createInterimSessions(
  config: SesameConfig,
  store: Store,
  now: () => number,
): Promise<RefreshSessions> {
  // The successor of a refresh token is derived from it with a server secret, so within the grace
  // window the same successor can be handed out again without storing it in clear.
  const secret = await store.initSetting('refresh_derivation_secret', randomBytes(32).toString('base64url'));
  const successor = (token: string) => createHmac('sha256', secret).update(token).digest('base64url');
  // Access tokens of a revoked session are refused until they expire: one feed entry per session.
  const revokeSid = (sid: string) =>
    store.addRevocation({
      kind: 'sid',
      value: sid,
      issuedBefore: null,
      expiresAt: now() + config.accessTokenTtl,
      createdAt: now(),
    });

  return {
    async start({ userId, clientId, scope }) {
      const token = randomBytes(32).toString('base64url');
      const at = now();
      const family = {
        id: randomUUID(),
        userId,
        clientId,
        scope,
        createdAt: at,
        expiresAt: at + config.refreshTokenTtl,
        revokedAt: null,
        revokedReason: null,
      };
      await store.createRefreshFamily(family, {
        tokenHash: sha256(token),
        familyId: family.id,
        generation: 0,
        createdAt: at,
        expiresAt: family.expiresAt,
        rotatedAt: null,
      });
      return { token, family };
    },
    async refresh(token) {
      const next = successor(token);
      const result = await store.rotateRefreshToken({
        presentedHash: sha256(token),
        nextHash: sha256(next),
        now: now(),
        graceMs: config.refreshGraceWindow,
        nextExpiresAt: now() + config.refreshTokenTtl,
      });
      if (result.kind === 'rotated' || result.kind === 'grace')
        return { kind: result.kind, token: next, family: result.family };
      if (result.kind === 'reused') await revokeSid(result.family.id);
      return result;
    },
    async find(token) {
      const record = await store.findRefreshToken(sha256(token));
      const family = record && (await store.findRefreshFamily(record.familyId));
      return record && family ? { record, family } : undefined;
    },
    async revokeFamily(id, reason) {
      const revoked = await store.revokeRefreshFamily(id, reason, now());
      if (revoked) await revokeSid(id);
      return revoked;
    },
    async revokeUser(userId, reason) {
      const ids = await store.revokeUserFamilies(userId, reason, now());
      await store.addRevocation({
        kind: 'user',
        value: userId,
        issuedBefore: now(),
        expiresAt: now() + config.accessTokenTtl,
        createdAt: now(),
      });
      return ids;
    },
  };
}

export function createInterimRevocations(store: Store, now: () => number): AccessTokenRevocations {
  return {
    async revokeJti(jti, exp) {
      await store.addRevocation({
        kind: 'jti',
        value: jti,
        issuedBefore: null,
        expiresAt: exp * 1000,
        createdAt: now(),
      });
    },
    async isRevoked(claims) {
      if (claims.jti !== undefined && (await store.isJtiRevoked(claims.jti, now()))) return true;
      if (claims.sid !== undefined) {
        const family = await store.findRefreshFamily(claims.sid);
        if (family?.revokedAt != null) return true;
      }
      return false;
    },
  };
}
