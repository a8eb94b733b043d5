/**
 * Interoperability with the two most used JWT libraries for Node, in both directions: what Sesame
 * signs verifies in `jose` and `jsonwebtoken`, and what they sign verifies in Sesame.
 *
 * Which algorithms each peer supports is checked, not assumed (see "what the peers support"):
 * - jose 6 supports every Sesame algorithm but EdDSA over Ed448 (its EdDSA is Ed25519 only);
 * - jsonwebtoken 9 supports HS*, RS*, PS* and ES*, and no EdDSA at all, so EdDSA over Ed25519 is
 *   covered with jose only, and EdDSA over Ed448 has no peer here.
 */
import { Buffer } from 'node:buffer';
import * as jose from 'jose';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import {
  ALGORITHMS,
  type Algorithm,
  exportJWK,
  generateKeyPair,
  generateSecret,
  isJwtError,
  type Key,
  sign,
  verify,
  verifyJws,
} from '../src/index.js';

type Curve = 'Ed25519' | 'Ed448';

interface Case {
  name: string;
  alg: Algorithm;
  crv?: Curve;
  /** The key that signs (the secret for HS*). */
  signing: Key;
  /** The key that verifies (the secret again for HS*). */
  verifying: Key;
}

const variants: { name: string; alg: Algorithm; crv?: Curve }[] = [
  ...ALGORITHMS.filter((alg) => alg !== 'EdDSA').map((alg) => ({ name: alg, alg })),
  { name: 'EdDSA Ed25519', alg: 'EdDSA', crv: 'Ed25519' },
  { name: 'EdDSA Ed448', alg: 'EdDSA', crv: 'Ed448' },
];

const cases: Case[] = variants.map(({ name, alg, crv }) => {
  if (alg.startsWith('HS')) {
    const secret = generateSecret(alg);
    return { name, alg, signing: secret, verifying: secret };
  }
  const pair = generateKeyPair(alg, crv ? { crv } : {});
  return { name, alg, crv, signing: pair.privateKey, verifying: pair.publicKey };
});

/** The peers' support, as checked by the first describe block below. */
const joseSupports = (c: Case) => c.crv !== 'Ed448';
const jsonwebtokenSupports = (c: Case) => c.alg !== 'EdDSA';

const CLAIMS = { issuer: 'https://id.example', audience: 'api' };

/** The code of the JwtError `fn` throws; fails the test when it throws nothing or something else. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isJwtError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a JwtError, nothing was thrown');
}

/** A Sesame key as jose takes it: through its JWK, so the JWK export is exercised too. */
function joseKey(key: Key, alg: Algorithm) {
  return jose.importJWK(exportJWK(key, { private: key.type !== 'public' }), alg);
}

/** A Sesame key as jsonwebtoken is usually given one: PEM text, or the secret's bytes. */
function pem(key: Key): string | Buffer {
  if (key.type === 'secret') return key.keyObject.export();
  return key.type === 'private'
    ? (key.keyObject.export({ type: 'pkcs8', format: 'pem' }) as string)
    : (key.keyObject.export({ type: 'spki', format: 'pem' }) as string);
}

describe('what the peers support', () => {
  it('jsonwebtoken refuses EdDSA', () => {
    const ed25519 = cases.find((c) => c.crv === 'Ed25519')!;
    expect(() =>
      jwt.sign({ sub: 'u1' }, pem(ed25519.signing), { algorithm: 'EdDSA' as jwt.Algorithm }),
    ).toThrow();
  });

  it('jose refuses an Ed448 key for EdDSA', async () => {
    const ed448 = cases.find((c) => c.crv === 'Ed448')!;
    await expect(joseKey(ed448.verifying, 'EdDSA')).rejects.toThrow();
  });

  it('every Sesame algorithm has at least one peer, except EdDSA over Ed448', () => {
    const orphans = cases.filter((c) => !joseSupports(c) && !jsonwebtokenSupports(c)).map((c) => c.name);
    expect(orphans).toEqual(['EdDSA Ed448']);
  });
});

describe('Sesame and jose', () => {
  for (const c of cases.filter(joseSupports)) {
    it(`${c.name}: Sesame signs, jose verifies`, async () => {
      const token = sign({ sub: 'u1', scope: 'quiz' }, c.signing, { ...CLAIMS, expiresIn: '5m', kid: 'k1' });
      const { payload, protectedHeader } = await jose.jwtVerify(token, await joseKey(c.verifying, c.alg), {
        algorithms: [c.alg],
        ...CLAIMS,
      });
      expect(protectedHeader).toEqual({ alg: c.alg, typ: 'JWT', kid: 'k1' });
      expect(payload).toMatchObject({ sub: 'u1', scope: 'quiz', iss: CLAIMS.issuer, aud: CLAIMS.audience });
    });

    it(`${c.name}: jose signs, Sesame verifies`, async () => {
      const token = await new jose.SignJWT({ sub: 'u1', scope: 'quiz' })
        .setProtectedHeader({ alg: c.alg, kid: 'k1' })
        .setIssuer(CLAIMS.issuer)
        .setAudience(CLAIMS.audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(await joseKey(c.signing, c.alg));
      const { header, payload } = verify(token, c.verifying, { algorithms: [c.alg], ...CLAIMS });
      expect(header).toEqual({ alg: c.alg, kid: 'k1' });
      expect(payload).toMatchObject({ sub: 'u1', scope: 'quiz' });
    });
  }
});

describe('Sesame and jsonwebtoken', () => {
  for (const c of cases.filter(jsonwebtokenSupports)) {
    it(`${c.name}: Sesame signs, jsonwebtoken verifies`, () => {
      const token = sign({ sub: 'u1', scope: 'quiz' }, c.signing, { ...CLAIMS, expiresIn: '5m' });
      const payload = jwt.verify(token, pem(c.verifying), {
        algorithms: [c.alg as jwt.Algorithm],
        ...CLAIMS,
      });
      expect(payload).toMatchObject({ sub: 'u1', scope: 'quiz' });
    });

    it(`${c.name}: jsonwebtoken signs, Sesame verifies`, () => {
      const token = jwt.sign({ sub: 'u1', scope: 'quiz' }, pem(c.signing), {
        algorithm: c.alg as jwt.Algorithm,
        expiresIn: '5m',
        keyid: 'k1',
        ...CLAIMS,
      });
      const { header, payload } = verify(token, c.verifying, { algorithms: [c.alg], ...CLAIMS });
      expect(header).toEqual({ alg: c.alg, typ: 'JWT', kid: 'k1' });
      expect(payload).toMatchObject({ sub: 'u1', scope: 'quiz' });
    });
  }
});

describe('what the peers can make that Sesame refuses', () => {
  const hs256 = cases.find((c) => c.alg === 'HS256')!;

  it("jose's unencoded payload (RFC 7797, b64: false) is refused, even when the caller lists b64 in crit", async () => {
    // jose makes b64: false with its flattened JSON serialization only, and leaves the unencoded
    // payload out of the result (as detached content). RFC 7797 §5.2 allows the compact form when
    // the payload holds no '.', which is how such a token would reach Sesame.
    const text = 'pay 100 coins';
    const jws = await new jose.FlattenedSign(new TextEncoder().encode(text))
      .setProtectedHeader({ alg: 'HS256', b64: false, crit: ['b64'] })
      .sign(await joseKey(hs256.signing, 'HS256'));
    const token = `${jws.protected}.${text}.${jws.signature}`;
    // The peer itself accepts it: the refusal is Sesame's policy, not a broken token.
    const accepted = await jose.compactVerify(token, await joseKey(hs256.verifying, 'HS256'), {
      algorithms: ['HS256'],
    });
    expect(Buffer.from(accepted.payload).toString('utf8')).toBe(text);
    for (const crit of [[], ['b64']]) {
      expect(codeOf(() => verifyJws(token, hs256.verifying, { algorithms: ['HS256'], crit }))).toBe(
        'ERR_JOSE_NOT_SUPPORTED',
      );
    }
  });

  it("jsonwebtoken's alg none is refused, whatever the key and the allow-list", () => {
    const token = jwt.sign({ sub: 'u1' }, null, { algorithm: 'none' });
    expect(token.split('.')[2]).toBe('');
    for (const c of cases) {
      expect(codeOf(() => verify(token, c.verifying, { algorithms: [...ALGORITHMS] }))).toBe(
        'ERR_JOSE_ALG_NOT_ALLOWED',
      );
    }
  });
});
