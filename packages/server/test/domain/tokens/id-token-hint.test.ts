/**
 * The id_token_hint verifier (Core §3.1.2.1, RP-Initiated Logout 1.0 §2): an ID token of this
 * issuer, signed by a published key, accepted expired; everything else refused with its reason.
 */
import { createLocalKeySet, createSigner, exportJWK, generateKeyPair, type JWK, sign } from '@sesame/jwt';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createIdTokens } from '../../../src/domain/tokens/id-token.js';
import { createIdTokenHints } from '../../../src/domain/tokens/id-token-hint.js';

const NOW = 1_700_000_000_000;
const ISSUER = 'http://127.0.0.1:8080';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function setUp(values: Record<string, unknown> = {}) {
  const { privateKey, publicKey } = generateKeyPair('ES256', { kid: 'k1' });
  const config = loadConfig({ values: { logLevel: 'silent', ...values } });
  let clock = NOW;
  const keySet = createLocalKeySet({ keys: [{ ...exportJWK(publicKey), kid: 'k1', alg: 'ES256' } as JWK] });
  const hints = createIdTokenHints({ config, keys: { keySet: () => keySet }, now: () => clock });
  const keys = { algorithms: ['ES256'], signingKey: () => privateKey };
  const idTokens = createIdTokens({ config, keys, now: () => NOW });
  const idToken = (sessionId?: string) =>
    idTokens.issue({ subject: 'u-1', clientId: 'web', accessToken: 'at', authTime: NOW, sessionId });
  /** A token signed with the published key, with any header typ and payload. */
  const signed = (payload: Record<string, unknown>, typ: string | null = 'JWT') =>
    createSigner({ key: privateKey, typ, issuedAt: false })(payload);
  const claims = { iss: ISSUER, sub: 'u-1', aud: 'web', iat: NOW / 1000, exp: NOW / 1000 + 900 };
  return { hints, idToken, signed, claims, later: (ms: number) => (clock = NOW + ms) };
}

describe('id_token_hint', () => {
  it('accepts an ID token of this issuer: its user, its client and its sid', () => {
    const { hints, idToken } = setUp();
    expect(hints.verify(idToken('s-1'))).toEqual({
      ok: true,
      hint: { subject: 'u-1', clientId: 'web', sessionId: 's-1', expired: false },
    });
    expect(hints.verify(idToken())).toEqual({
      ok: true,
      hint: { subject: 'u-1', clientId: 'web', expired: false },
    });
  });

  it('accepts an expired ID token, saying it expired', () => {
    const { hints, idToken, later } = setUp();
    const token = idToken('s-1');
    later(900_000);
    expect(hints.verify(token)).toMatchObject({ ok: true, hint: { expired: true } });
    later(899_999);
    expect(hints.verify(token)).toMatchObject({ ok: true, hint: { expired: false } });
  });

  it('refuses a bad signature, alg none, an unknown key and what is no JWS', () => {
    const { hints, idToken, claims } = setUp();
    const token = idToken();
    const [h, p, s] = token.split('.');
    const flipped = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    expect(hints.verify(flipped)).toEqual({ ok: false, reason: 'invalid' });
    // The payload of another user under the same signature.
    expect(hints.verify(`${h}.${b64({ ...claims, sub: 'admin' })}.${s}`)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(hints.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const other = generateKeyPair('ES256', { kid: 'k1' }).privateKey;
    expect(hints.verify(sign(claims, other, { typ: 'JWT' }))).toEqual({ ok: false, reason: 'invalid' });
    const unknown = generateKeyPair('ES256', { kid: 'k2' }).privateKey;
    expect(hints.verify(sign(claims, unknown, { typ: 'JWT' }))).toEqual({ ok: false, reason: 'invalid' });
    for (const junk of ['', 'a.b.c', 'not a token', `${h}.${b64('text')}.${s}`]) {
      expect(hints.verify(junk)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses a token of this key but another issuer, another typ, or without its claims', () => {
    const { hints, signed, claims } = setUp();
    expect(hints.verify(signed(claims))).toMatchObject({ ok: true });
    expect(hints.verify(signed(claims, 'application/JWT'))).toMatchObject({ ok: true });
    expect(hints.verify(signed({ ...claims, iss: 'https://evil.example' }))).toEqual({
      ok: false,
      reason: 'issuer',
    });
    expect(hints.verify(signed({ ...claims, iss: `${ISSUER}/` }))).toEqual({ ok: false, reason: 'issuer' });
    // An access token of this server is no ID token.
    expect(hints.verify(signed(claims, 'at+jwt'))).toEqual({ ok: false, reason: 'type' });
    expect(hints.verify(signed(claims, null))).toEqual({ ok: false, reason: 'type' });
    const { sub: _s, ...noSub } = claims;
    const { exp: _e, ...noExp } = claims;
    for (const payload of [
      noSub,
      noExp,
      { ...claims, sub: '' },
      { ...claims, sub: 7 },
      { ...claims, exp: '1' },
      { ...claims, aud: [] },
      { ...claims, aud: ['web', 'api'] }, // several audiences and no azp
      { ...claims, aud: ['web', 'api'], azp: 'other' },
      { ...claims, aud: 'web', azp: 'other' },
      { ...claims, sid: 5 },
    ]) {
      expect(hints.verify(signed(payload))).toEqual({ ok: false, reason: 'claims' });
    }
  });

  it('takes azp for the client among several audiences', () => {
    const { hints, signed, claims } = setUp();
    expect(hints.verify(signed({ ...claims, aud: ['api', 'web'], azp: 'web' }))).toMatchObject({
      ok: true,
      hint: { clientId: 'web' },
    });
    expect(hints.verify(signed({ ...claims, aud: ['web'] }))).toMatchObject({
      ok: true,
      hint: { clientId: 'web' },
    });
  });

  it('refuses every hint in HMAC mode, where no ID token is issued', () => {
    for (const values of [{ tokenProfile: 'classic' }, { algorithm: 'HS256' }]) {
      const { hints, signed, claims } = setUp({
        ...values,
        hmacSecret: 'the-classic-shared-secret-32-bytes-long!',
      });
      expect(hints.verify(signed(claims))).toEqual({ ok: false, reason: 'not_issued' });
    }
  });
});
