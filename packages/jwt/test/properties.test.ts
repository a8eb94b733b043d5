import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Algorithm,
  createLocalKeySet,
  createVerifier,
  decode,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  importKey,
  JwtError,
  type Key,
  sign,
  verify,
  verifyJws,
} from '../src/index.js';

const RUNS = { numRuns: 200 };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** One signing key and one verifying key per algorithm family, made once for the file. */
const families: { alg: Algorithm; signer: Key; verifier: Key }[] = (() => {
  const rsa = generateKeyPair('RS256');
  const pss = generateKeyPair('PS256');
  const es = generateKeyPair('ES384');
  const ed = generateKeyPair('EdDSA');
  const hs = generateSecret('HS512');
  return [
    { alg: 'HS512', signer: hs, verifier: hs },
    { alg: 'RS256', signer: rsa.privateKey, verifier: rsa.publicKey },
    { alg: 'PS256', signer: pss.privateKey, verifier: pss.publicKey },
    { alg: 'ES384', signer: es.privateKey, verifier: es.publicKey },
    { alg: 'EdDSA', signer: ed.privateKey, verifier: ed.publicKey },
  ];
})();
const ALL: Algorithm[] = families.map((family) => family.alg);
const tokens = families.map(({ signer, alg }) => ({
  alg,
  token: sign({ sub: 'u1', scope: 'read write', n: 12345 }, signer, { kid: 'k1', expiresIn: '1h' }),
}));
const verifiers = families.map(({ verifier }) => createVerifier({ key: verifier, algorithms: ALL }));
const keySet = createLocalKeySet({
  keys: families.filter((f) => f.alg !== 'HS512').map((f, i) => ({ ...exportJWK(f.verifier), kid: `k${i}` })),
});

/**
 * Runs `fn` and returns true when it threw a JwtError. Anything else thrown fails the property
 * (the only error of @sesame/jwt is JwtError); returning normally also yields false.
 */
function refusedWithJwtError(fn: () => unknown): boolean {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof JwtError))
      throw new Error(`threw something other than a JwtError: ${String(error)}`);
    return true;
  }
  return false;
}

/** Every way this file tries to verify `token`: each must refuse it with a JwtError. */
function neverVerifies(token: string, family: number): boolean {
  return (
    refusedWithJwtError(() => verifiers[family]!(token)) &&
    refusedWithJwtError(() => verify(token, families[family]!.verifier, { algorithms: ALL })) &&
    refusedWithJwtError(() => verify(token, keySet, { algorithms: ALL })) &&
    refusedWithJwtError(() => verifyJws(token, families[family]!.verifier, { algorithms: ALL }))
  );
}

const family = fc.integer({ min: 0, max: families.length - 1 });
/** Any character a mutation may put in: the alphabet, the separator, padding, near misses, others. */
const character = fc.oneof(
  fc.constantFrom(...ALPHABET.split('')),
  fc.constantFrom('.', '=', '+', '/', ' ', '\n', '\u0000', 'é', '\u{1F511}'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

describe('properties: tampering with a valid token never verifies', () => {
  it('the untouched tokens verify (so the properties below are not vacuous)', () => {
    tokens.forEach(({ token, alg }, i) => {
      expect(verifiers[i]!(token).header.alg).toBe(alg);
      expect(verify(token, families[i]!.verifier, { algorithms: [alg] }).payload.sub).toBe('u1');
    });
  });

  it('replacing any one character', () => {
    fc.assert(
      fc.property(family, fc.nat(), character, (f, at, replacement) => {
        const { token } = tokens[f]!;
        const i = at % token.length;
        fc.pre(token[i] !== replacement);
        return neverVerifies(token.slice(0, i) + replacement + token.slice(i + 1), f);
      }),
      RUNS,
    );
  });

  it('flipping a bit of any character (within the alphabet)', () => {
    fc.assert(
      fc.property(family, fc.nat(), fc.integer({ min: 0, max: 5 }), (f, at, bit) => {
        const { token } = tokens[f]!;
        const i = at % token.length;
        fc.pre(token[i] !== '.');
        const flipped = ALPHABET[ALPHABET.indexOf(token[i]!) ^ (1 << bit)]!;
        return neverVerifies(token.slice(0, i) + flipped + token.slice(i + 1), f);
      }),
      RUNS,
    );
  });

  it('removing any one character', () => {
    fc.assert(
      fc.property(family, fc.nat(), (f, at) => {
        const { token } = tokens[f]!;
        const i = at % token.length;
        return neverVerifies(token.slice(0, i) + token.slice(i + 1), f);
      }),
      RUNS,
    );
  });

  it('inserting any one character', () => {
    fc.assert(
      fc.property(family, fc.nat(), character, (f, at, inserted) => {
        const { token } = tokens[f]!;
        const i = at % (token.length + 1);
        return neverVerifies(token.slice(0, i) + inserted + token.slice(i), f);
      }),
      RUNS,
    );
  });

  it('swapping segments between tokens of the same key', () => {
    const others = families.map(({ signer }) =>
      sign({ sub: 'admin' }, signer, { kid: 'k1', expiresIn: '1h' }),
    );
    fc.assert(
      fc.property(family, fc.integer({ min: 0, max: 2 }), (f, part) => {
        const mine = tokens[f]!.token.split('.');
        const theirs = others[f]!.split('.');
        fc.pre(mine[part] !== theirs[part]);
        mine[part] = theirs[part]!;
        return neverVerifies(mine.join('.'), f);
      }),
      { numRuns: 50 },
    );
  });
});

describe('properties: random input never verifies and only throws JwtError', () => {
  const segmentText = fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/);

  it('random strings', () => {
    fc.assert(
      fc.property(family, fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 300 })), (f, text) =>
        neverVerifies(text, f),
      ),
      RUNS,
    );
  });

  it('random three-segment base64url strings', () => {
    fc.assert(
      fc.property(family, segmentText, segmentText, segmentText, (f, a, b, c) =>
        neverVerifies(`${a}.${b}.${c}`, f),
      ),
      RUNS,
    );
  });

  it('well-formed headers and payloads with random signatures', () => {
    const header = fc.record(
      {
        alg: fc.oneof(fc.constantFrom(...ALL, 'none', 'HS256', 'RS512'), fc.string()),
        kid: fc.constantFrom('k0', 'k1', 'k2', 'k3'),
        typ: fc.string(),
        crit: fc.array(fc.string(), { maxLength: 2 }),
      },
      { requiredKeys: ['alg'] },
    );
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    fc.assert(
      fc.property(
        family,
        header,
        fc.jsonValue({ maxDepth: 3 }),
        fc.uint8Array({ maxLength: 600 }),
        (f, h, payload, signature) =>
          neverVerifies(`${b64(h)}.${b64(payload)}.${Buffer.from(signature).toString('base64url')}`, f),
      ),
      RUNS,
    );
  });

  it('decode throws nothing but JwtError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.tuple(segmentText, segmentText, segmentText).map((s) => s.join('.')),
        ),
        (text) => {
          try {
            decode(text);
          } catch (error) {
            expect(error).toBeInstanceOf(JwtError);
          }
        },
      ),
      RUNS,
    );
  });

  it('importKey and importJWK throw nothing but JwtError', () => {
    const member = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{0,90}$/), fc.string(), fc.integer());
    const jwk = fc.record(
      {
        kty: fc.constantFrom('RSA', 'EC', 'OKP', 'oct', 'XYZ'),
        crv: fc.constantFrom('P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448', 'X25519'),
        x: member,
        y: member,
        d: member,
        n: member,
        e: fc.constantFrom('AQAB', 'AQ', 'Aw', 'AAEAAQ', ''),
        k: member,
        use: fc.constantFrom('sig', 'enc'),
        key_ops: fc.array(fc.constantFrom('sign', 'verify', 'encrypt', 'x')),
      },
      { requiredKeys: ['kty'] },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL, 'HS256', 'ES256', 'ES512', 'RS512'),
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 120 }), jwk),
        (alg, input) => {
          for (const attempt of [
            () => importKey(input as never, alg as Algorithm),
            () => importJWK(input as never, alg as Algorithm),
          ]) {
            try {
              attempt();
            } catch (error) {
              expect(error).toBeInstanceOf(JwtError);
            }
          }
        },
      ),
      RUNS,
    );
  });
});
