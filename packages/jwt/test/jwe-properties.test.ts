/**
 * Property tests of decryption: a JWE changed anywhere (one character replaced, a part cut short,
 * a character inserted or removed, parts swapped) never decrypts, and every failure is a JwtError
 * with a code — never a TypeError, a RangeError or an OpenSSL error escaping.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContentEncryptionAlgorithm,
  createDecrypter,
  encrypt,
  generateKeyPair,
  generateSecret,
  JwtError,
  type Key,
  type KeyManagementAlgorithm,
} from '../src/index.js';

const RUNS = { numRuns: 150 };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';

interface Family {
  alg: KeyManagementAlgorithm;
  enc: ContentEncryptionAlgorithm;
  encrypting: Key<KeyManagementAlgorithm>;
  decrypting: Key<KeyManagementAlgorithm>;
}

const families: Family[] = (() => {
  const rsa = generateKeyPair('RSA-OAEP-256');
  const ec = generateKeyPair('ECDH-ES', { crv: 'P-256' });
  const x = generateKeyPair('ECDH-ES+A128KW', { crv: 'X25519' });
  const kw = generateSecret('A256KW');
  const gcmkw = generateSecret('A128GCMKW');
  const dir = generateSecret('dir', { enc: 'A128CBC-HS256' });
  return [
    { alg: 'RSA-OAEP-256', enc: 'A256GCM', encrypting: rsa.publicKey, decrypting: rsa.privateKey },
    { alg: 'ECDH-ES', enc: 'A128CBC-HS256', encrypting: ec.publicKey, decrypting: ec.privateKey },
    { alg: 'ECDH-ES+A128KW', enc: 'A192GCM', encrypting: x.publicKey, decrypting: x.privateKey },
    { alg: 'A256KW', enc: 'A256CBC-HS512', encrypting: kw, decrypting: kw },
    { alg: 'A128GCMKW', enc: 'A128GCM', encrypting: gcmkw, decrypting: gcmkw },
    { alg: 'dir', enc: 'A128CBC-HS256', encrypting: dir, decrypting: dir },
  ];
})();

const cases = families.map((family) => ({
  ...family,
  token: encrypt('{"sub":"u1","scope":"admin"}', family.encrypting, { enc: family.enc }),
  open: createDecrypter({
    key: family.decrypting,
    keyManagementAlgorithms: [family.alg],
    contentEncryptionAlgorithms: [family.enc],
  }),
}));

/** Runs the decrypter on a changed token: it must throw, and only a JwtError. */
function refuses(open: (token: string) => unknown, original: string, changed: string): boolean {
  if (changed === original) return true;
  try {
    open(changed);
  } catch (error) {
    return error instanceof JwtError && typeof error.code === 'string';
  }
  return false;
}

describe('a mutated JWE never decrypts and throws only JwtError', () => {
  for (const { alg, enc, token, open } of cases) {
    describe(`${alg} ${enc}`, () => {
      it('decrypts unchanged', () => {
        expect(open(token).plaintext.toString()).toContain('admin');
      });

      it('one character replaced', () => {
        fc.assert(
          fc.property(fc.nat(token.length - 1), fc.constantFrom(...ALPHABET), (at, char) =>
            refuses(open, token, token.slice(0, at) + char + token.slice(at + 1)),
          ),
          RUNS,
        );
      });

      it('a character inserted or removed', () => {
        fc.assert(
          fc.property(fc.nat(token.length), fc.constantFrom(...ALPHABET), fc.boolean(), (at, char, insert) =>
            refuses(
              open,
              token,
              insert ? token.slice(0, at) + char + token.slice(at) : token.slice(0, at) + token.slice(at + 1),
            ),
          ),
          RUNS,
        );
      });

      it('a part cut short, or two parts swapped', () => {
        const parts = token.split('.');
        fc.assert(
          fc.property(fc.nat(4), fc.nat(4), fc.nat(), (i, j, cut) => {
            const shortened = [...parts];
            shortened[i] = parts[i]!.slice(0, cut % (parts[i]!.length + 1));
            const swapped = [...parts];
            [swapped[i], swapped[j]] = [parts[j]!, parts[i]!];
            return refuses(open, token, shortened.join('.')) && refuses(open, token, swapped.join('.'));
          }),
          RUNS,
        );
      });

      it('arbitrary strings and five-part junk', () => {
        fc.assert(
          fc.property(
            fc.string(),
            fc.array(fc.string({ unit: fc.constantFrom(...ALPHABET) }), { minLength: 5, maxLength: 5 }),
            (junk, parts) => refuses(open, token, junk) && refuses(open, token, parts.join('.')),
          ),
          RUNS,
        );
      });
    });
  }
});
