/**
 * JWE interoperability in both directions, for every supported (alg, enc) pair and every ECDH-ES
 * curve: what Sesame encrypts, jose decrypts, and what jose encrypts, Sesame decrypts. jwcrypto
 * (Python, Debian's python3-jwcrypto) is covered in jwe-jwcrypto.test.ts.
 */
import { Buffer } from 'node:buffer';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  decrypt,
  encrypt,
  exportJWK,
  generateKeyPair,
  generateSecret,
  KEY_MANAGEMENT_ALGORITHMS,
  type Key,
  type KeyManagementAlgorithm,
} from '../src/index.js';

type Curve = 'P-256' | 'P-384' | 'P-521' | 'X25519';

/** One recipient per (alg, curve): the encrypting key and the decrypting key (the same for secrets). */
function recipients(): {
  name: string;
  alg: KeyManagementAlgorithm;
  make: (enc: string) => [Key<KeyManagementAlgorithm>, Key<KeyManagementAlgorithm>];
}[] {
  const out: ReturnType<typeof recipients> = [];
  for (const alg of KEY_MANAGEMENT_ALGORITHMS) {
    if (alg.startsWith('ECDH')) {
      for (const crv of ['P-256', 'P-384', 'P-521', 'X25519'] as Curve[]) {
        const pair = generateKeyPair(alg, { crv });
        out.push({ name: `${alg} ${crv}`, alg, make: () => [pair.publicKey, pair.privateKey] });
      }
    } else if (alg.startsWith('RSA')) {
      const pair = generateKeyPair(alg);
      out.push({ name: alg, alg, make: () => [pair.publicKey, pair.privateKey] });
    } else {
      out.push({
        name: alg,
        alg,
        make: (enc) => {
          const secret = generateSecret(alg, { enc: enc as never });
          return [secret, secret];
        },
      });
    }
  }
  return out;
}

function joseJwk(key: Key<KeyManagementAlgorithm>): jose.JWK {
  return exportJWK(key, { private: key.type !== 'public' }) as jose.JWK;
}

describe('JWE interop with jose', () => {
  for (const recipient of recipients()) {
    it(`${recipient.name} with every enc, both ways`, async () => {
      for (const enc of CONTENT_ENCRYPTION_ALGORITHMS) {
        const [encrypting, decrypting] = recipient.make(enc);
        const plaintext = `to ${recipient.name} with ${enc}`;

        const ours = encrypt(plaintext, encrypting, { enc, kid: 'k1' });
        const joseKey = await jose.importJWK(joseJwk(decrypting), recipient.alg);
        const opened = await jose.compactDecrypt(ours, joseKey, {
          keyManagementAlgorithms: [recipient.alg],
          contentEncryptionAlgorithms: [enc],
        });
        expect(Buffer.from(opened.plaintext).toString()).toBe(plaintext);
        expect(opened.protectedHeader).toMatchObject({ alg: recipient.alg, enc, kid: 'k1' });

        const joseEncrypting = await jose.importJWK(joseJwk(encrypting), recipient.alg);
        const theirs = await new jose.CompactEncrypt(Buffer.from(plaintext))
          .setProtectedHeader({ alg: recipient.alg, enc })
          .encrypt(joseEncrypting);
        const result = decrypt(theirs, decrypting, {
          keyManagementAlgorithms: [recipient.alg],
          contentEncryptionAlgorithms: [enc],
        });
        expect(result.plaintext.toString()).toBe(plaintext);
      }
    });
  }
});
