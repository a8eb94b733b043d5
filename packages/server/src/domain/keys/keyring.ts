/**
 * The signing keys and their rotation. Each algorithm the keyring signs with has its own keys — the
 * configured one for access tokens, and RS256 beside it for ID tokens (OpenID Connect Discovery §3)
 * — rotated together. Three states, one step at a time (store.rotateSigningKeys):
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
import { type Algorithm, importJWK, type JWK, type JWKS, JwtError, type Key } from '@sesame/jwt';
import type { SigningKey } from '../../store/types.js';
import { KeyringError } from './errors.js';
import { KEYRING_ALGORITHMS, type KeyringAlgorithm, newSigningKey } from './generate.js';
import { hmacKeyring } from './hmac-keyring.js';
import { identityKeyCipher } from './key-cipher.js';
import type { Keyring, KeyringOptions } from './types.js';

export type { KeyInfo, Keyring, KeyringOptions } from './types.js';

interface Loaded {
  at: number;
  /** The current key of each algorithm the keyring signs with. */
  current: Map<string, Key>;
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
  const algorithms: readonly KeyringAlgorithm[] = Object.freeze([
    ...new Set([algorithm, ...(options.additionalAlgorithms ?? [])]),
  ]);
  if (!algorithms.every((alg) => KEYRING_ALGORITHMS.includes(alg))) {
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
    const current = new Map<string, Key>();
    for (const record of records) {
      // A current key of an algorithm no longer configured signs nothing: published only.
      if (record.state !== 'current' || !algorithms.includes(record.alg as KeyringAlgorithm)) continue;
      // Importing a private key only when that algorithm's current one changed keeps reloads cheap.
      const loaded = state?.current.get(record.alg);
      current.set(record.alg, loaded?.kid === record.kid ? loaded : await importPrivate(record));
    }
    const publicJwks = live.flatMap((r) => (r.publicJwk ? [JSON.parse(r.publicJwk) as JWK] : []));
    const published = new Map(
      publicJwks.map((jwk) => [String(jwk.kid), importJWK(jwk, jwk.alg as Algorithm)]),
    );
    state = { at, current, jwks: Object.freeze({ keys: publicJwks }), published, records };
  };
  const importPrivate = async (record: SigningKey): Promise<Key> => {
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
  const configured = (alg: string) => algorithms.includes(alg as KeyringAlgorithm);
  const liveKid = (records: SigningKey[], alg: string, live: 'current' | 'next') =>
    records.find((r) => r.alg === alg && r.state === live)?.kid ?? null;
  /**
   * One rotation step of one algorithm's keys, from the state `seen` (`newNext` made here unless
   * given): it fails, and reloads, when another instance changed that algorithm's keys since. For
   * an algorithm no longer configured, its retirement: the current and next keys retire, no new
   * key is made.
   */
  const step = async (alg: string, seen: SigningKey[], newNext?: SigningKey): Promise<boolean> => {
    const at = now();
    const ok = await store.rotateSigningKeys({
      alg,
      expectCurrent: liveKid(seen, alg, 'current'),
      expectNext: liveKid(seen, alg, 'next'),
      newNext: configured(alg)
        ? (newNext ?? (await newSigningKey(alg as KeyringAlgorithm, cipher, at)))
        : null,
      now: at,
      retiredExpiresAt: at + retiredLife,
    });
    await load();
    return ok;
  };

  /**
   * Makes a current and a next key of each algorithm where one is missing: from nothing (first
   * start, or an algorithm added since, such as RS256 for a data dir made before), or after a
   * revocation. Two instances doing it at once both try; the compare-and-set (and the unique index
   * on each algorithm's live states) lets one win each step and the other reloads.
   */
  const complete = async (): Promise<void> => {
    for (const alg of algorithms) {
      const hasNext = () => liveKid(state.records, alg, 'next') !== null;
      if (!state.current.has(alg) && !hasNext()) {
        // Nothing of this algorithm yet: both keys are generated at once (RSA keys take a while).
        const at = now();
        const [first, second] = await Promise.all([
          newSigningKey(alg, cipher, at),
          newSigningKey(alg, cipher, at),
        ]);
        await step(alg, state.records, first);
        if (!state.current.has(alg)) await step(alg, state.records, second);
      }
      for (let i = 0; i < 4 && !(state.current.has(alg) && hasNext()); i++) {
        if (state.current.has(alg)) {
          // Only the next key is missing: make one, without retiring the current key.
          const next = await newSigningKey(alg, cipher, now());
          await store.insertSigningKey(next).catch(() => undefined); // lost to another instance: reload
          await load();
        } else await step(alg, state.records);
      }
      if (!state.current.has(alg))
        throw new KeyringError('ERR_KEYRING_NO_CURRENT', `no current ${alg} signing key could be made`);
    }
  };

  await load();
  // Distributed mode: a rotation by another process (or the CLI) is loaded at once, not at the next interval.
  store.watchSigningKeys?.(() => refreshSoon(true));
  await complete();

  const keyring: Keyring = {
    algorithms,
    signingKey(alg = algorithm) {
      refreshSoon();
      const key = state.current.get(alg);
      if (!key) throw new KeyringError('ERR_KEYRING_NO_CURRENT', `there is no current ${alg} signing key`);
      return key;
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
    async rotate() {
      // The configured algorithms, then any other with live keys (given up: they retire).
      const seen = await store.listSigningKeys();
      const live = seen.filter((r) => r.state === 'current' || r.state === 'next');
      let rotated = false;
      for (const alg of new Set([...algorithms, ...live.map((r) => r.alg)]))
        rotated = (await step(alg, seen)) || rotated;
      return rotated;
    },
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
      if (period <= 0) return false;
      // Each algorithm on its own clock: RS256 keys added to an older data dir live a whole period too.
      const due = state.records.filter(
        (r) => r.state === 'current' && (r.activatedAt ?? r.createdAt) + period <= at,
      );
      // From the state just loaded: an instance that rotated first makes this step fail, not repeat.
      const seen = state.records;
      let rotated = false;
      for (const record of due) rotated = (await step(record.alg, seen)) || rotated;
      return rotated;
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
