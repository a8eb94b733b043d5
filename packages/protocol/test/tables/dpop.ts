/**
 * THE table of RFC 9449 §4.3 (a DPoP proof at a resource request): run through @sesame/protocol's
 * checker, the server's resource routes (/userinfo) and the guard, so the three cannot disagree.
 * Each row builds the DPoP header value for one request from a scene (the token's key, the token, the
 * request) and names the rule it breaks, or 'ok'. `twice`: the same header is sent again and the
 * second request breaks `replay`.
 */
import type { DpopRule } from '@sesame/protocol';
import { accessTokenHash } from '@sesame/protocol';
import { type DpopKey, dpopKey } from '@sesame/testkit';

export interface DpopScene {
  /** The key the token is bound to (cnf.jkt). */
  key: DpopKey;
  token: string;
  method: string;
  url: string;
  nowS: number;
}

export type DpopRow = [
  name: string,
  header: (scene: DpopScene) => string | undefined,
  outcome: 'ok' | DpopRule,
  twice?: boolean,
];

const other = dpopKey();
const base = (s: DpopScene) => ({ htm: s.method, htu: s.url, accessToken: s.token, iat: s.nowS });

export const dpopTable: readonly DpopRow[] = [
  ['a proof by the bound key for this request and token', (s) => s.key.proof(base(s)), 'ok'],
  [
    'htu with a query and a fragment (ignored, point 9)',
    (s) => s.key.proof({ ...base(s), htu: `${s.url}?page=2#top` }),
    'ok',
  ],
  [
    'htu with an upper-case scheme and host (normalised)',
    (s) =>
      s.key.proof({
        ...base(s),
        htu: s.url.replace(
          /^http(s?):\/\/([^/]+)/,
          (_m, tls, host) => `HTTP${tls.toUpperCase()}://${host.toUpperCase()}`,
        ),
      }),
    'ok',
  ],
  ['an RSA-PSS proof', (s) => s.key.proof(base(s)), 'ok'],
  // Negative cases, in the order of §4.3.
  ['no proof', () => undefined, 'missing'],
  ['two DPoP headers (point 1)', (s) => `${s.key.proof(base(s))}, ${s.key.proof(base(s))}`, 'header'],
  ['not a JWS (point 2)', () => 'not-a-proof', 'header'],
  // Node's base64 decoder would read these as the proof itself: the strict parse must refuse them.
  [
    'a proof with a padded signature (point 2: base64url has no =)',
    (s) => `${s.key.proof(base(s))}=`,
    'header',
  ],
  ['a proof with a fourth segment (point 2)', (s) => `${s.key.proof(base(s))}.AAAA`, 'header'],
  ['typ JWT instead of dpop+jwt (point 4)', (s) => s.key.proof({ ...base(s), typ: 'JWT' }), 'jws'],
  ['alg none (point 5)', (s) => s.key.proof({ ...base(s), forge: 'none' }), 'alg'],
  ['alg HS256 (point 5: no symmetric algorithm)', (s) => s.key.proof({ ...base(s), forge: 'HS256' }), 'alg'],
  [
    'a private key in the jwk header (point 7)',
    (s) =>
      s.key.proof({ ...base(s), jwk: { ...s.key.jwk, d: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }),
    'jwk',
  ],
  [
    'signed by another key than its jwk (point 6)',
    (s) => other.proof({ ...base(s), jwk: s.key.jwk }),
    'signature',
  ],
  ['no jti', (s) => s.key.proof({ ...base(s), claims: { jti: undefined } }), 'jti'],
  [
    'another method (point 8)',
    (s) => s.key.proof({ ...base(s), htm: s.method === 'GET' ? 'POST' : 'GET' }),
    'htm',
  ],
  ['another URL (point 9)', (s) => s.key.proof({ ...base(s), htu: `${s.url}/elsewhere` }), 'htu'],
  ['no htu', (s) => s.key.proof({ ...base(s), claims: { htu: undefined } }), 'htu'],
  ['iat six minutes old (point 11)', (s) => s.key.proof({ ...base(s), iat: s.nowS - 360 }), 'iat'],
  ['iat a minute ahead (point 11)', (s) => s.key.proof({ ...base(s), iat: s.nowS + 60 }), 'iat'],
  ['no iat', (s) => s.key.proof({ ...base(s), claims: { iat: undefined } }), 'iat'],
  ['no ath (point 12)', (s) => s.key.proof({ ...base(s), accessToken: undefined }), 'ath'],
  [
    'ath of another token (point 12)',
    (s) => s.key.proof({ ...base(s), ath: accessTokenHash(`${s.token}x`) }),
    'ath',
  ],
  ['a valid proof by another key than cnf.jkt (§7.1)', (s) => other.proof(base(s)), 'binding'],
  ['the same proof twice (§11.1)', (s) => s.key.proof(base(s)), 'replay', true],
];
