/**
 * INTERIM signing-key ring, used by wiring.ts until src/keys/keyring.ts lands (the data-layer
 * engineer's module); then this file goes. Rotation per the store's contract: the next key is
 * published before it signs; retired keys stay published until every token they signed expired.
 */
import { randomUUID } from 'node:crypto';
import {
  type Algorithm,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  type JwsHeader,
  type Key,
} from '@sesame/jwt';
import type { SesameConfig } from './config.js';
import type { PublicKeyInfo, SigningKeys } from './services.js';
import type { SigningKey, Store } from './store/types.js';
import type { AccessTokenKeys } from './tokens/access-token.js';

export interface InterimKeyring extends SigningKeys, AccessTokenKeys {
  reload(): Promise<void>;
  rotateIfDue(): Promise<void>;
}

function newKey(alg: Algorithm, now: number): SigningKey {
  const kid = randomUUID();
  if (alg === 'HS256') {
    const secret = generateSecret(alg, { kid });
    return keyRow(kid, alg, JSON.stringify(exportJWK(secret, { private: true })), null, now);
  }
  const { privateKey, publicKey } = generateKeyPair(alg, { kid });
  const publicJwk = { ...exportJWK(publicKey), kid, alg, use: 'sig' };
  return keyRow(
    kid,
    alg,
    JSON.stringify(exportJWK(privateKey, { private: true })),
    JSON.stringify(publicJwk),
    now,
  );
}

function keyRow(
  kid: string,
  alg: string,
  privateJwk: string,
  publicJwk: string | null,
  now: number,
): SigningKey {
  return {
    kid,
    alg,
    privateJwk,
    publicJwk,
    state: 'next',
    createdAt: now,
    activatedAt: null,
    retiredAt: null,
    expiresAt: null,
  };
}

export async function createInterimKeyring(
  config: SesameConfig,
  store: Store,
  now: () => number,
): Promise<InterimKeyring> {
  const alg = config.algorithm as Algorithm;
  let rows: SigningKey[] = [];
  const imported = new Map<string, Key>();
  const importRow = (row: SigningKey): Key => {
    let key = imported.get(row.kid);
    if (key === undefined) {
      key = importJWK(JSON.parse(row.privateJwk), row.alg as Algorithm, { kid: row.kid });
      imported.set(row.kid, key);
    }
    return key;
  };
  const live = () => rows.filter((row) => row.state !== 'retired' || (row.expiresAt ?? 0) > now());

  const step = async () => {
    const current = rows.find((row) => row.state === 'current')?.kid ?? null;
    const next = rows.find((row) => row.state === 'next')?.kid ?? null;
    await store.rotateSigningKeys({
      expectCurrent: current,
      expectNext: next,
      newNext: newKey(alg, now()),
      now: now(),
      retiredExpiresAt: now() + config.accessTokenTtl,
    });
    rows = await store.listSigningKeys();
  };

  const ring: InterimKeyring = {
    async reload() {
      rows = await store.listSigningKeys();
    },
    async rotateIfDue() {
      await ring.reload();
      const current = rows.find((row) => row.state === 'current');
      if (current === undefined || current.alg !== alg) {
        // First start (two steps: a next key, then it becomes current) or a changed algorithm.
        await step();
        if (rows.find((row) => row.state === 'current')?.alg !== alg) await step();
        return;
      }
      if ((current.activatedAt ?? current.createdAt) + config.keyRotationPeriod <= now()) await step();
    },
    async rotate() {
      await ring.reload();
      await step();
    },
    signingKey() {
      const current = rows.find((row) => row.state === 'current');
      if (current === undefined) throw new Error('no current signing key');
      return importRow(current);
    },
    verificationKeys(header: JwsHeader) {
      return live()
        .filter((row) => row.kid === header.kid && row.alg === header.alg)
        .map(importRow);
    },
    jwks() {
      return { keys: live().flatMap((row) => (row.publicJwk ? [JSON.parse(row.publicJwk)] : [])) };
    },
    async list(): Promise<PublicKeyInfo[]> {
      await ring.reload();
      return rows.map(({ kid, alg: keyAlg, state, createdAt, activatedAt, retiredAt, expiresAt }) => ({
        kid,
        alg: keyAlg,
        state,
        createdAt,
        activatedAt,
        retiredAt,
        expiresAt,
      }));
    },
  };
  await ring.rotateIfDue();
  return ring;
}
