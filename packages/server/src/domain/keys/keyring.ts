/**
 * The signing keys and their rotation. Three states, one step at a time (store.rotateSigningKeys):
 *   next     — published in the JWKS before it ever signs, so every verifier has it in time;
 *   current  — signs every new token;
 *   retired  — signs nothing, published until every token it signed has expired
 *              (retired at T → expires at T + max token life + clock tolerance), then deleted;
 *   revoked  — withdrawn at once, whatever its state (a compromised key): unpublished, no longer
 *              verifying here, and kept only for the listing until its tokens would have expired.
 * Any number of processes may share one store: each step is a compare-and-set, and each keyring
 * reloads from the store on a short interval, or at once on a kid it does not know, so a
 * `sesame keys rotate` run elsewhere is picked up.
 * The classic profile signs HS256 with a configured shared secret instead: nothing stored,
 * nothing published, nothing rotated.
 */
import {
  type Algorithm,
  importJWK,
  importKey,
  type JWK,
  type JWKS,
  JwtError,
  type Key,
  type KeySet,
} from '@sesame/jwt';
import type { KeyCipher } from '../../store/key-sealing.js';
import type { SigningKey, SigningKeyState, Store } from '../../store/types.js';
import { KeyringError } from './errors.js';
import { KEYRING_ALGORITHMS, type KeyringAlgorithm, newSigningKey } from './generate.js';
import { identityKeyCipher } from './key-cipher.js';

export interface KeyringOptions {
  store: Store;
  /** The algorithm of new keys (default ES256). Changing it takes effect at the next rotation. */
  algorithm?: KeyringAlgorithm;
  /** A fixed HMAC key instead of stored keys (the classic profile). */
  hmac?: { secret: string | Uint8Array; algorithm?: 'HS256' | 'HS384' | 'HS512'; kid?: string };
  /** Automatic rotation period (default 30 days); 0 rotates only when asked. */
  rotationPeriodMs?: number;
  /** The longest life of a token these keys sign (default 15 minutes). */
  maxTokenLifetimeMs?: number;
  /** Verifiers' clock tolerance, added to a retired key's life (default 60 s). */
  clockToleranceMs?: number;
  /** How old the loaded state may get before a reload (default 30 s). */
  reloadIntervalMs?: number;
  /** Encryption of private keys at rest (default identity; required for PostgreSQL). */
  keyCipher?: KeyCipher;
  now?: () => number;
}

/** A key's public facts, for `sesame keys list` and the admin API: never the private part. */
export type KeyInfo = Omit<SigningKey, 'privateJwk' | 'publicJwk'>;

export interface Keyring {
  /** The current key, with its kid: what access tokens are signed with. Synchronous (hot path). */
  signingKey(): Key;
  /** The public JWKS: next, current, and retired keys not yet expired. Empty in HMAC mode. */
  jwks(): JWKS;
  /** Verification keys by kid (the published ones, or the HMAC key), for introspection and guards. */
  keySet(): KeySet;
  /** One rotation step now; false when another instance rotated first (the new state is loaded). */
  rotate(): Promise<boolean>;
  /**
   * Withdraws a key at once: it leaves the JWKS and stops verifying in this process now (others
   * reload within their interval; the caller's `kid` revocation entry covers them meanwhile). A
   * revoked current key is replaced by the next one, a revoked next key by a new one. Answers the
   * key's state before. Throws ERR_KEYRING_KEY_NOT_FOUND for an unknown kid.
   */
  revoke(kid: string): Promise<SigningKeyState>;
  /** Rotates when the current key is older than the period; also deletes expired retired keys. */
  maybeRotate(now?: number): Promise<boolean>;
  /** Reads the keys from the store again. */
  reload(): Promise<void>;
  /**
   * Reads the keys again when the loaded state is older than `maxAgeMs` (concurrent callers share
   * one read): for the JWKS, so a key revoked by another process sharing the store (a sibling
   * worker, the CLI) leaves it at once.
   */
  fresh(maxAgeMs: number): Promise<void>;
  list(): KeyInfo[];
  /** Starts background upkeep (reload + maybeRotate) every reload interval; the timer is unref'd. */
  start(): void;
  stop(): void;
}

interface Loaded {
  at: number;
  current: Key | undefined;
  jwks: JWKS;
  published: Map<string, Key>;
  records: SigningKey[];
}

/**
 * Loads the keyring, creating the first keys when the store has none.
 *
 * @example
 * const keyring = await createKeyring({ store, algorithm: 'ES256', maxTokenLifetimeMs: 15 * 60_000 });
 * const token = sign(claims, keyring.signingKey(), { typ: 'at+jwt' }); // header kid from the key
 * app.get('/.well-known/jwks.json', () => keyring.jwks());
 */
export async function createKeyring(options: KeyringOptions): Promise<Keyring> {
  const { store } = options;
  const now = options.now ?? Date.now;
  const algorithm = options.algorithm ?? 'ES256';
  if (!KEYRING_ALGORITHMS.includes(algorithm)) {
    throw new KeyringError(
      'ERR_KEYRING_OPTION_INVALID',
      'the keyring algorithm must be an asymmetric JWS algorithm',
    );
  }
  if (options.hmac) return hmacKeyring(options.hmac);
  const cipher = options.keyCipher ?? identityKeyCipher;
  const period = options.rotationPeriodMs ?? 30 * 86_400_000;
  const retiredLife = (options.maxTokenLifetimeMs ?? 15 * 60_000) + (options.clockToleranceMs ?? 60_000);
  const reloadInterval = options.reloadIntervalMs ?? 30_000;
  let state: Loaded;
  let reloading: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const load = async (): Promise<void> => {
    const records = await store.listSigningKeys();
    const at = now();
    const live = records.filter(
      (r) =>
        r.state === 'current' ||
        r.state === 'next' ||
        (r.state === 'retired' && r.expiresAt !== null && r.expiresAt > at),
    );
    const currentRecord = records.find((r) => r.state === 'current');
    // Importing the private key only when the current one changed keeps reloads cheap.
    const current =
      currentRecord && state?.current?.kid === currentRecord.kid
        ? state.current
        : await importPrivate(currentRecord);
    const publicJwks = live.flatMap((r) => (r.publicJwk ? [JSON.parse(r.publicJwk) as JWK] : []));
    const published = new Map(
      publicJwks.map((jwk) => [String(jwk.kid), importJWK(jwk, jwk.alg as Algorithm)]),
    );
    state = { at, current, jwks: Object.freeze({ keys: publicJwks }), published, records };
  };
  const importPrivate = async (record: SigningKey | undefined): Promise<Key | undefined> => {
    if (!record) return undefined;
    try {
      return importJWK(JSON.parse(await cipher.decrypt(record.privateJwk)) as JWK, record.alg as Algorithm);
    } catch (error) {
      throw new KeyringError('ERR_KEYRING_KEY_UNREADABLE', 'the current signing key could not be read', {
        cause: error,
      });
    }
  };
  /** Reloads in the background when the state is old; callers keep the state they have meanwhile. */
  const refreshSoon = (force = false) => {
    if (reloading || (!force && now() - state.at < reloadInterval)) return;
    reloading = load()
      .catch(() => undefined) // the last good state keeps serving; the next tick tries again
      .finally(() => {
        reloading = undefined;
      });
  };
  const step = async (): Promise<boolean> => {
    const at = now();
    const live = await store.listSigningKeys();
    const ok = await store.rotateSigningKeys({
      expectCurrent: live.find((k) => k.state === 'current')?.kid ?? null,
      expectNext: live.find((k) => k.state === 'next')?.kid ?? null,
      newNext: await newSigningKey(algorithm, cipher, at),
      now: at,
      retiredExpiresAt: at + retiredLife,
    });
    await load();
    return ok;
  };

  /**
   * Makes a current and a next key where one is missing: from nothing (first start), or after a
   * revocation. Two instances doing it at once both try; the compare-and-set (and the unique index
   * on live states) lets one win each step and the other reloads.
   */
  const complete = async (): Promise<void> => {
    for (let i = 0; i < 4 && !(state.current && state.records.some((r) => r.state === 'next')); i++) {
      if (state.current) {
        // Only the next key is missing: make one, without retiring the current key.
        const next = await newSigningKey(algorithm, cipher, now());
        await store.insertSigningKey(next).catch(() => undefined); // lost to another instance: reload
        await load();
      } else await step();
    }
    if (!state.current)
      throw new KeyringError('ERR_KEYRING_NO_CURRENT', 'no current signing key could be made');
  };

  await load();
  // Distributed mode: a rotation by another process (or the CLI) is loaded at once, not at the next interval.
  store.watchSigningKeys?.(() => refreshSoon(true));
  await complete();

  const keyring: Keyring = {
    signingKey() {
      refreshSoon();
      if (!state.current) throw new KeyringError('ERR_KEYRING_NO_CURRENT', 'there is no current signing key');
      return state.current;
    },
    jwks() {
      refreshSoon();
      return state.jwks;
    },
    keySet: () => ({
      select(header) {
        const key = header.kid === undefined ? undefined : state.published.get(header.kid);
        if (!key) {
          refreshSoon(now() - state.at >= 1000); // an unknown kid may be another process's new key
          throw new JwtError('ERR_JWKS_NO_MATCH', 'no published key has this kid');
        }
        return [key];
      },
    }),
    rotate: step,
    async revoke(kid) {
      const at = now();
      const before = await store.revokeSigningKey(kid, at, at + retiredLife);
      if (before === undefined)
        throw new KeyringError('ERR_KEYRING_KEY_NOT_FOUND', 'no signing key has this kid');
      await load();
      await complete();
      return before;
    },
    async maybeRotate(at = now()) {
      await store.deleteExpiredSigningKeys(at);
      await load();
      const current = state.records.find((r) => r.state === 'current');
      if (period <= 0 || !current || (current.activatedAt ?? current.createdAt) + period > at) return false;
      return step();
    },
    reload: load,
    async fresh(maxAgeMs) {
      if (now() - state.at < maxAgeMs) return;
      reloading ??= load().finally(() => {
        reloading = undefined;
      });
      await reloading;
    },
    list: () => state.records.map(({ privateJwk: _p, publicJwk: _q, ...info }) => info),
    start() {
      timer ??= setInterval(() => keyring.maybeRotate().catch(() => undefined), reloadInterval);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
  return Object.freeze(keyring);
}

/** The classic profile: one shared HMAC secret, never stored, never published, never rotated. */
function hmacKeyring(hmac: NonNullable<KeyringOptions['hmac']>): Keyring {
  let key: Key;
  try {
    key = importKey(hmac.secret, hmac.algorithm ?? 'HS256', hmac.kid === undefined ? {} : { kid: hmac.kid });
  } catch (error) {
    // importKey's message says what is wrong (too short, looks like a public key) without the secret.
    throw new KeyringError(
      'ERR_KEYRING_OPTION_INVALID',
      `the HMAC secret is refused: ${(error as Error).message}`,
    );
  }
  const empty: JWKS = Object.freeze({ keys: Object.freeze([]) as unknown as JWK[] });
  return Object.freeze({
    signingKey: () => key,
    jwks: () => empty,
    keySet: () => ({ select: () => [key] }),
    rotate: async () => false,
    revoke: async () => {
      throw new KeyringError(
        'ERR_KEYRING_KEY_NOT_FOUND',
        'the HMAC secret is not a stored key: replace the secret to withdraw it',
      );
    },
    maybeRotate: async () => false,
    reload: async () => undefined,
    fresh: async () => undefined,
    list: () => [],
    start: () => undefined,
    stop: () => undefined,
  });
}
