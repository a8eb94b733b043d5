import { describe, expect, it } from 'vitest';
import {
  base64urlEncode,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type Key,
  signJws,
  thumbprint,
  verifyEmbeddedJwk,
} from '../src/index.js';
import { expectCode } from './helpers.js';

/** verifyEmbeddedJwk: a JWS verified under the jwk of its own header (the shape of a DPoP proof). */

const { privateKey, publicKey } = generateKeyPair('ES256');
const { kid: _kid, ...jwk } = exportJWK(publicKey);
const options = { algorithms: ['ES256', 'EdDSA'] as const, typ: 'dpop+jwt' };
const payload = JSON.stringify({ jti: 'j', htm: 'POST', htu: 'https://id.example/oauth/token', iat: 1 });
const good = (header: Record<string, unknown> = {}, body = payload, key: Key = privateKey) =>
  signJws(body, key, { typ: 'dpop+jwt', jwk, ...header });
const verify = (token: string) =>
  verifyEmbeddedJwk(token, { ...options, algorithms: [...options.algorithms] });

describe('verifyEmbeddedJwk', () => {
  it('verifies under the header key and gives the payload and the RFC 7638 thumbprint', () => {
    const result = verify(good());
    expect(result.payload).toEqual(JSON.parse(payload));
    expect(result.thumbprint).toBe(thumbprint(jwk));
    expect(result.jwk).toEqual(jwk);
  });

  it('compares typ case-insensitively and refuses another typ or none', () => {
    expect(verify(good({ typ: 'DPoP+JWT' })).payload.jti).toBe('j');
    expectCode(() => verify(good({ typ: 'JWT' })), 'ERR_JWS_INVALID');
    expectCode(() => verify(good({ typ: undefined })), 'ERR_JWS_INVALID');
  });

  it('refuses alg none, an algorithm outside the list, and HMAC whatever the list says', () => {
    const header = base64urlEncode(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk }));
    expectCode(() => verify(`${header}.${base64urlEncode(payload)}.`), 'ERR_JOSE_ALG_NOT_ALLOWED');
    const rsa = generateKeyPair('RS256');
    const { kid: _k, ...rsaJwk } = exportJWK(rsa.publicKey);
    expectCode(() => verify(good({ jwk: rsaJwk }, payload, rsa.privateKey)), 'ERR_JOSE_ALG_NOT_ALLOWED');
    const secret = generateSecret('HS256');
    expectCode(
      () => verifyEmbeddedJwk(good({}, payload, secret), { algorithms: ['HS256'], typ: 'dpop+jwt' }),
      'ERR_OPTION_INVALID',
    );
  });

  it('refuses a header without jwk, or with a private key in it', () => {
    expectCode(() => verify(good({ jwk: undefined })), 'ERR_JWK_INVALID');
    const { kid: _k, ...priv } = exportJWK(privateKey, { private: true });
    expectCode(() => verify(good({ jwk: priv })), 'ERR_JWK_INVALID');
    expectCode(() => verify(good({ jwk: 'text' })), 'ERR_JWK_INVALID');
  });

  it('refuses a signature by another key than the header one', () => {
    const other = generateKeyPair('ES256');
    expectCode(() => verify(good({}, payload, other.privateKey)), 'ERR_JWS_SIGNATURE');
  });

  it('refuses a payload that is not a JSON object', () => {
    expectCode(() => verify(good({}, '"text"')), 'ERR_JWT_INVALID');
  });

  it('checks a header it has seen before against each call: allow-list, typ, signature, payload', () => {
    const token = good();
    expect(verify(token).thumbprint).toBe(thumbprint(jwk));
    // The same header text, now remembered: what the caller decides is still decided per call.
    const onlyEdDSA = Object.freeze(['EdDSA'] as const);
    expectCode(
      () => verifyEmbeddedJwk(token, { algorithms: onlyEdDSA, typ: 'dpop+jwt' }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    expectCode(() => verifyEmbeddedJwk(token, { ...options, typ: 'other+jwt' }), 'ERR_JWS_INVALID');
    const [header, body] = token.split('.');
    expectCode(
      () =>
        verify(`${header}.${body}.${good({}, payload, generateKeyPair('ES256').privateKey).split('.')[2]}`),
      'ERR_JWS_SIGNATURE',
    );
    expectCode(() => verify(good({}, '"text"')), 'ERR_JWT_INVALID');
    // A remembered header is shared: its jwk cannot be changed by one caller for the next.
    const result = verify(token);
    expect(Object.isFrozen(result.jwk)).toBe(true);
    expect(verify(token).jwk).toEqual(jwk);
  });

  it('checks an allow-list on every call unless it is frozen, and refuses HMAC in either', () => {
    const list: ('ES256' | 'HS256')[] = ['ES256'];
    expect(verifyEmbeddedJwk(good(), { algorithms: list as ['ES256'], typ: 'dpop+jwt' }).payload.jti).toBe(
      'j',
    );
    list.push('HS256');
    expectCode(
      () => verifyEmbeddedJwk(good(), { algorithms: list as ['ES256'], typ: 'dpop+jwt' }),
      'ERR_OPTION_INVALID',
    );
    expectCode(
      () =>
        verifyEmbeddedJwk(good(), {
          algorithms: Object.freeze(['HS256']) as unknown as ['ES256'],
          typ: 'dpop+jwt',
        }),
      'ERR_OPTION_INVALID',
    );
  });
});
