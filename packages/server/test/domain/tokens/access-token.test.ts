/**
 * The access token issuer hands back the id the denylist knows each token by (`revocationId`),
 * so a grant that records what it minted (the code exchange) never verifies its own token to learn
 * it: checked against what `verify` reports, in both token profiles, and seen to differ between
 * two tokens (a constant would pass the first check for one token only).
 */
import { generateKeyPair, type JwsHeader } from '@sesame/jwt';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createAccessTokens } from '../../../src/domain/tokens/access-token.js';

const NOW = 1_700_000_000_000;
const subject = { subject: 'u-1', clientId: 'web', scopes: ['api'], audience: 'api' };

function tokensFor(values: Record<string, unknown>) {
  const { privateKey, publicKey } = generateKeyPair('ES256', { kid: 'k-1' });
  const keys = {
    signingKey: () => privateKey,
    keySet: () => ({ select: (header: JwsHeader) => (header.kid === 'k-1' ? [publicKey] : []) }),
  };
  const config = loadConfig({ values: { logLevel: 'silent', ...values } });
  return createAccessTokens({ config, keys, now: () => NOW });
}

describe('access tokens: revocationId', () => {
  for (const [profile, values] of [
    ['default (ES256, jti)', {}],
    [
      'classic (HS256, no jti: the fingerprint)',
      { tokenProfile: 'classic', hmacSecret: 'a classic shared secret of forty-odd bytes, 7Qz' },
    ],
  ] as const) {
    it(`is what verify reports as jti — ${profile}`, () => {
      const tokens = tokensFor(values);
      const one = tokens.issue(subject);
      const two = tokens.issue({ ...subject, subject: 'u-2' });
      expect(one.revocationId).toBe(tokens.verify(one.token).jti);
      expect(two.revocationId).toBe(tokens.verify(two.token).jti);
      expect(one.revocationId).not.toBe(two.revocationId);
    });
  }
});
