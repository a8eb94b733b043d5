/**
 * The keyring's contract: its options, and what a keyring answers (the stored keys of keyring.ts,
 * or the fixed HMAC secret of hmac-keyring.ts).
 */
import type { JWKS, Key, KeySet } from '@sesame/jwt';
import type { KeyCipher } from '../../store/key-sealing.js';
import type { SigningKey, SigningKeyState, Store } from '../../store/types.js';
import type { KeyringAlgorithm } from './generate.js';

export interface KeyringOptions {
  store: Store;
  /**
   * The algorithm of the key `signingKey()` answers (default ES256): the access tokens'. Changing
   * it makes keys of the new algorithm at the next start; the old algorithm's keys retire at the
   * next rotation, and stay published until the tokens they signed have expired.
   */
  algorithm?: KeyringAlgorithm;
  /**
   * More algorithms with a current and a next key of their own, rotated on the same schedule, for
   * `signingKey(alg)`: RS256 for the ID tokens of the clients that ask for it.
   */
  additionalAlgorithms?: readonly KeyringAlgorithm[];
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
  /**
   * The current key of `alg` (default: the configured algorithm, what access tokens are signed
   * with), with its kid. Synchronous (hot path). Throws ERR_KEYRING_NO_CURRENT for an algorithm
   * the keyring does not sign with.
   */
  signingKey(alg?: string): Key;
  /** The algorithms `signingKey` answers for: the configured one first. */
  readonly algorithms: readonly string[];
  /** The public JWKS: next, current, and retired keys not yet expired. Empty in HMAC mode. */
  jwks(): JWKS;
  /** Verification keys by kid (the published ones, or the HMAC key), for introspection and guards. */
  keySet(): KeySet;
  /**
   * One rotation step now for every algorithm (and the retirement of an algorithm no longer
   * configured); false when another instance rotated each first (the new state is loaded).
   */
  rotate(): Promise<boolean>;
  /**
   * Withdraws a key at once: it leaves the JWKS and stops verifying in this process now (others
   * reload within their interval; the caller's `kid` revocation entry covers them meanwhile). A
   * revoked current key is replaced by the next one, a revoked next key by a new one. Answers the
   * key's state before. Throws ERR_KEYRING_KEY_NOT_FOUND for an unknown kid.
   */
  revoke(kid: string): Promise<SigningKeyState>;
  /**
   * Rotates each algorithm whose current key is older than the period (and retires an algorithm no
   * longer configured then); also deletes expired retired keys.
   */
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
