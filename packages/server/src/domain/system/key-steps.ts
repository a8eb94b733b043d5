/**
 * The signing keys a route or a command may touch: what the keyring reads, and the two changes an
 * operator makes — a forced rotation step and the withdrawal of a compromised key — each audited
 * here, and a withdrawal always written to the revocation feed first (withdrawSigningKey). Here,
 * not in keys/: a withdrawal spans the keyring and the denylist (tokens/), which builds on keys/.
 */
import type { DomainContext } from '../context.js';
import type { Keyring } from '../keys/keyring.js';
import { withdrawSigningKey } from '../tokens/withdraw.js';

export interface KeySteps
  extends Pick<Keyring, 'signingKey' | 'algorithms' | 'jwks' | 'keySet' | 'list' | 'fresh'> {
  /**
   * One rotation step now for each algorithm's keys (next becomes current, current retires, a new
   * next is made), ES256 and RS256 alike: they are rotated together; audited.
   */
  rotate(actor: string | null): Promise<void>;
  /**
   * Withdraws a compromised key at once (see withdrawSigningKey); audited. Answers the key's state
   * before. Throws KeyringError ERR_KEYRING_KEY_NOT_FOUND for an unknown kid.
   */
  revoke(kid: string, actor: string | null): Promise<string>;
}

/**
 * @example await createKeySteps(ctx).revoke('Gx3…', 'cli');
 */
export function createKeySteps(ctx: DomainContext): KeySteps {
  const { keys } = ctx;
  return Object.freeze({
    signingKey: (alg) => keys.signingKey(alg),
    algorithms: keys.algorithms,
    jwks: () => keys.jwks(),
    keySet: () => keys.keySet(),
    list: () => keys.list(),
    fresh: (maxAgeMs) => keys.fresh(maxAgeMs),
    async rotate(actor) {
      await keys.rotate();
      await ctx.audit({
        type: 'key.rotated',
        actor,
        details: { forced: true, algorithms: [...keys.algorithms] },
      });
    },
    async revoke(kid, actor) {
      const before = await withdrawSigningKey(ctx, kid);
      await ctx.audit({ type: 'key.revoked', actor, subject: kid, details: { state: before } });
      return before;
    },
  } satisfies KeySteps);
}
