/**
 * One signer per signing key and token type (convention 3: validate once, then run fast): the
 * header and the key checks are done when the keyring starts signing with a key, not per token. A
 * rotated key's signer goes with the key (a WeakMap, keyed by the keyring's own Key object).
 */
import { createSigner, type Key, type Signer } from '@sesame/jwt';

/**
 * The signer of `key` for tokens whose header says `typ`, made on first use and kept.
 *
 * @example const signerFor = signersFor('logout+jwt'); const token = signerFor(keyring.signingKey())(claims);
 */
export function signersFor(typ: string): (key: Key) => Signer {
  const signers = new WeakMap<Key, Signer>();
  return (key) => {
    let signer = signers.get(key);
    if (signer === undefined) {
      signer = createSigner({ key, typ, issuedAt: false });
      signers.set(key, signer);
    }
    return signer;
  };
}
