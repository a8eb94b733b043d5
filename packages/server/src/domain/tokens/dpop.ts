/**
 * DPoP (RFC 9449) at the server: @sesame/protocol's one proof checker over @sesame/jwt's embedded-key
 * verification, the store as replay cache (Redis in front when distributed), and stateless nonces.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Algorithm, verifyEmbeddedJwk } from '@sesame/jwt';
import { createDpopChecker, DPOP_ALGORITHMS, type DpopProof, type DpopRequest } from '@sesame/protocol';
import type { SesameConfig } from '../../config/config.js';
import type { Store } from '../../store/types.js';

/** The setting holding the nonces' HMAC key: one for every instance on the store. */
export const DPOP_NONCE_SETTING = 'dpop_nonce_secret';

export interface Dpop {
  /** False under the classic profile, whose fixed payload has no `cnf`: proofs are then ignored. */
  readonly enabled: boolean;
  /** `dpop_signing_alg_values_supported` (RFC 9449 §5.1) and the `algs` of challenges. */
  readonly algorithms: readonly string[];
  /** Whether the token endpoint requires a server nonce (`dpopNonce`, RFC 9449 §8). */
  readonly requiresNonce: boolean;
  /** A token request's proof (with the nonce when required), or undefined when it has none. */
  checkTokenRequest(request: DpopRequest): Promise<DpopProof | undefined>;
  /** A resource request's proof: `ath` and the token's `cnf.jkt` checked, no nonce. */
  checkResourceRequest(
    request: DpopRequest & { accessToken: string; thumbprint: string },
  ): Promise<DpopProof>;
  /** A nonce current now, for the `DPoP-Nonce` header (RFC 9449 §8.1). */
  nonce(): Promise<string>;
}

/**
 * Nonces are stateless (RFC 9449 §8 leaves their form to the server): the time step and an HMAC of
 * it under a key kept in the store, so any instance issues and checks them without a shared cache;
 * a nonce of the current or the previous step is current, so one lives one to two steps.
 *
 * @example const dpop = createDpop({ config, store, now }); await dpop.checkTokenRequest({ header, method: 'POST', url });
 */
export function createDpop(options: { config: SesameConfig; store: Store; now: () => number }): Dpop {
  const { config, store, now } = options;
  const lifetime = config.dpopProofLifetime;
  const maxAgeSeconds = Math.floor(lifetime / 1000);
  const algorithms = DPOP_ALGORITHMS;
  const verify = (proof: string, o: { algorithms: readonly string[]; typ: string }) =>
    verifyEmbeddedJwk(proof, { algorithms: o.algorithms as Algorithm[], typ: o.typ });
  const replay = {
    remember: (key: string, expiresAt: number) => store.rememberDpopProof(key, expiresAt, now()),
  };

  let secret: Buffer | undefined;
  const loadSecret = async (): Promise<Buffer> => {
    secret ??= Buffer.from(
      await store.initSetting(DPOP_NONCE_SETTING, randomBytes(32).toString('base64url')),
      'base64url',
    );
    return secret;
  };
  const mac = (key: Buffer, step: number) =>
    createHmac('sha256', key).update(`sesame dpop nonce v1\0${step}`).digest().subarray(0, 16);
  const stepOf = (at: number) => Math.floor(at / lifetime);
  const isCurrent = (nonce: string): boolean => {
    const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/.exec(nonce);
    if (match === null || secret === undefined) return false;
    const step = Number.parseInt(match[1]!, 36);
    const current = stepOf(now());
    if (step !== current && step !== current - 1) return false;
    return timingSafeEqual(Buffer.from(match[2]!, 'base64url'), mac(secret, step));
  };

  const base = { verify, algorithms, replay, now, maxAgeSeconds };
  const plain = createDpopChecker(base);
  const withNonce = createDpopChecker({ ...base, nonce: { isCurrent } });
  return Object.freeze({
    enabled: config.tokenProfile !== 'classic',
    algorithms,
    requiresNonce: config.dpopNonce,
    async checkTokenRequest(request: DpopRequest) {
      if (!config.dpopNonce) return plain(request);
      await loadSecret();
      return withNonce(request);
    },
    async checkResourceRequest(request: DpopRequest & { accessToken: string; thumbprint: string }) {
      return (await plain(request)) as DpopProof;
    },
    async nonce() {
      const step = stepOf(now());
      return `${step.toString(36)}.${mac(await loadSecret(), step).toString('base64url')}`;
    },
  });
}
