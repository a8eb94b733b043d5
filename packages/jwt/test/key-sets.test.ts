import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createLocalKeySet,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type JWK,
  type JwsHeader,
  sign,
  verify,
} from '../src/index.js';
import { expectCode } from './helpers.js';

const ec = ['a', 'b', 'c'].map((kid) => generateKeyPair('ES256', { kid }));
const ec384 = generateKeyPair('ES384', { kid: 'p384' });
const rsa = generateKeyPair('RS256');
const pub = (pair: { publicKey: Parameters<typeof exportJWK>[0] }, extra: Partial<JWK> = {}) => ({
  ...exportJWK(pair.publicKey),
  ...extra,
});
/** A JWK without the alg that exportJWK adds, so that only the other members select it. */
const bare = (pair: { publicKey: Parameters<typeof exportJWK>[0] }, extra: Partial<JWK> = {}) => {
  const { alg: _alg, ...jwk } = pub(pair, extra);
  return jwk;
};
const kidsOf = (keys: readonly { kid: string | undefined }[]) => keys.map((key) => key.kid);
const header = (alg: string, kid?: string): JwsHeader => (kid === undefined ? { alg } : { alg, kid });

describe('createLocalKeySet: selection', () => {
  const set = createLocalKeySet({ keys: ec.map((pair) => pub(pair)) });

  it('selects by kid and verifies', () => {
    expect(kidsOf(set.select(header('ES256', 'b')))).toEqual(['b']);
    const token = sign({ sub: 'u1' }, ec[1]!.privateKey);
    const result = verify(token, set, { algorithms: ['ES256'] });
    expect(result.payload.sub).toBe('u1');
    expect(result.key.kid).toBe('b');
  });

  it('refuses an unknown kid', () => {
    expectCode(() => set.select(header('ES256', 'zzz')), 'ERR_JWKS_NO_MATCH');
    const stranger = generateKeyPair('ES256', { kid: 'zzz' });
    expectCode(
      () => verify(sign({}, stranger.privateKey), set, { algorithms: ['ES256'] }),
      'ERR_JWKS_NO_MATCH',
    );
  });

  it('a token signed by one key but naming another fails', () => {
    const token = sign({}, ec[0]!.privateKey, { kid: 'b' });
    expectCode(() => verify(token, set, { algorithms: ['ES256'] }), 'ERR_JWS_SIGNATURE');
  });

  it('selects by kty', () => {
    const mixed = createLocalKeySet({ keys: [bare(ec[0]!, { kid: undefined }), bare(rsa)] });
    expect(mixed.select(header('ES256')).map((key) => key.family)).toEqual(['EC']);
    expect(mixed.select(header('RS256')).map((key) => key.family)).toEqual(['RSA']);
    expect(mixed.select(header('PS256')).map((key) => key.family)).toEqual(['RSA-PSS']);
    expectCode(() => mixed.select(header('EdDSA')), 'ERR_JWKS_NO_MATCH');
    expect(verify(sign({}, rsa.privateKey), mixed, { algorithms: ['RS256'] }).key.family).toBe('RSA');
  });

  it('selects by alg', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
    const byAlg = createLocalKeySet({
      keys: [
        { ...jwk, alg: 'RS256', kid: 'r' },
        { ...jwk, alg: 'PS256', kid: 'p' },
      ],
    });
    expect(kidsOf(byAlg.select(header('RS256')))).toEqual(['r']);
    expect(kidsOf(byAlg.select(header('PS256')))).toEqual(['p']);
    expectCode(() => byAlg.select(header('RS384')), 'ERR_JWKS_NO_MATCH');
    expectCode(() => byAlg.select(header('PS256', 'r')), 'ERR_JWKS_NO_MATCH');
  });

  it('selects by crv', () => {
    const curves = createLocalKeySet({ keys: [bare(ec[0]!), bare(ec384)] });
    expect(kidsOf(curves.select(header('ES256')))).toEqual(['a']);
    expect(kidsOf(curves.select(header('ES384')))).toEqual(['p384']);
    expectCode(() => curves.select(header('ES512')), 'ERR_JWKS_NO_MATCH');
    expect(verify(sign({}, ec384.privateKey), curves, { algorithms: ['ES384'] }).key.kid).toBe('p384');
  });

  it('never selects a key meant for encryption (use, key_ops)', () => {
    const keys = createLocalKeySet({
      keys: [
        pub(ec[0]!, { use: 'enc' }),
        pub(ec[1]!, { key_ops: ['encrypt'] }),
        pub(ec[2]!, { use: 'sig', key_ops: ['verify'] }),
      ],
    });
    expect(kidsOf(keys.select(header('ES256')))).toEqual(['c']);
    expect(verify(sign({}, ec[2]!.privateKey), keys, { algorithms: ['ES256'] }).key.kid).toBe('c');
    // Tokens naming the encryption keys are refused, even though those keys would verify them.
    expectCode(() => verify(sign({}, ec[0]!.privateKey), keys, { algorithms: ['ES256'] }), 'ERR_JWK_INVALID');
    expectCode(() => verify(sign({}, ec[1]!.privateKey), keys, { algorithms: ['ES256'] }), 'ERR_JWK_INVALID');
  });

  it('tries at most 5 candidates', () => {
    const pairs = Array.from({ length: 7 }, () => generateKeyPair('ES256'));
    const many = createLocalKeySet({ keys: pairs.map((pair) => pub(pair)) });
    expect(many.select(header('ES256'))).toHaveLength(5);
    expect(verify(sign({}, pairs[0]!.privateKey), many, { algorithms: ['ES256'] }).key).toBeDefined();
    expect(verify(sign({}, pairs[4]!.privateKey), many, { algorithms: ['ES256'] }).key).toBeDefined();
    expectCode(
      () => verify(sign({}, pairs[6]!.privateKey), many, { algorithms: ['ES256'] }),
      'ERR_JWKS_MULTIPLE_MATCHES',
    );
  });

  it('reports several matching keys of which none verifies', () => {
    const pairs = [generateKeyPair('ES256'), generateKeyPair('ES256')];
    const two = createLocalKeySet({ keys: pairs.map((pair) => pub(pair)) });
    expect(two.select(header('ES256'))).toHaveLength(2);
    expect(verify(sign({}, pairs[1]!.privateKey), two, { algorithms: ['ES256'] })).toBeDefined();
    expectCode(
      () => verify(sign({}, generateKeyPair('ES256').privateKey), two, { algorithms: ['ES256'] }),
      'ERR_JWKS_MULTIPLE_MATCHES',
    );
  });

  it('refuses a weak key when it is selected, and keeps serving the others', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    }) as JWK;
    const keys = createLocalKeySet({ keys: [{ ...weak, kid: 'weak' }, pub(ec[0]!)] });
    expectCode(() => keys.select(header('RS256', 'weak')), 'ERR_JWK_INVALID');
    expectCode(() => keys.select(header('RS256', 'weak')), 'ERR_JWK_INVALID');
    expect(kidsOf(keys.select(header('ES256', 'a')))).toEqual(['a']);
  });

  it('works with secret keys', () => {
    const secrets = [generateSecret('HS256', { kid: 's1' }), generateSecret('HS256', { kid: 's2' })];
    const keys = createLocalKeySet({ keys: secrets.map((key) => exportJWK(key, { private: true })) });
    expect(verify(sign({}, secrets[1]!), keys, { algorithms: ['HS256'] }).key.kid).toBe('s2');
  });

  it('refuses algorithms it does not know', () => {
    expectCode(() => set.select(header('none')), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });
});

describe('createLocalKeySet: the set is checked when made', () => {
  it('refuses a duplicate kid', () => {
    expectCode(
      () => createLocalKeySet({ keys: [pub(ec[0]!), pub(ec[1]!, { kid: 'a' })] }),
      'ERR_JWK_INVALID',
    );
    expect(createLocalKeySet({ keys: [pub(ec[0]!), pub(ec[1]!)] }).jwks.keys).toHaveLength(2);
  });

  it('refuses private asymmetric keys', () => {
    expectCode(
      () => createLocalKeySet({ keys: [exportJWK(ec[0]!.privateKey, { private: true })] }),
      'ERR_JWK_INVALID',
    );
    expectCode(
      () => createLocalKeySet({ keys: [pub(ec[1]!), exportJWK(rsa.privateKey, { private: true })] }),
      'ERR_JWK_INVALID',
    );
  });

  it('refuses a mix of secret and asymmetric keys', () => {
    const secret = exportJWK(generateSecret('HS256', { kid: 's' }), { private: true });
    expect(createLocalKeySet({ keys: [secret] }).jwks.keys).toHaveLength(1);
    expectCode(() => createLocalKeySet({ keys: [secret, pub(ec[0]!)] }), 'ERR_JWK_INVALID');
    expectCode(() => createLocalKeySet({ keys: [pub(ec[0]!), secret] }), 'ERR_JWK_INVALID');
  });

  it('refuses what is not a JWKS', () => {
    for (const value of [
      null,
      {},
      [],
      { keys: 'x' },
      { keys: [null] },
      { keys: [[]] },
      { keys: [pub(ec[0]!, { kid: 1 as never })] },
    ]) {
      expectCode(() => createLocalKeySet(value as never), 'ERR_JWK_INVALID');
    }
  });

  it('keeps a frozen copy of the keys', () => {
    const jwk = pub(ec[0]!);
    const keys = createLocalKeySet({ keys: [jwk] });
    jwk.kid = 'changed';
    expect(keys.jwks.keys[0]!.kid).toBe('a');
    expect(Object.isFrozen(keys.jwks.keys)).toBe(true);
    expect(Object.isFrozen(keys.jwks.keys[0])).toBe(true);
  });
});
