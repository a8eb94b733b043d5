/**
 * THE table of discovery (RFC 8414 §3, OpenID Connect Discovery §4): what the metadata endpoint
 * of ISSUER answers, and whether a jwks_uri is found ('ok') or which ProtocolError refuses it.
 * Run through the protocol's discoverJwksUri and through a guard that discovers its keys.
 */
export const DISCOVERY_ISSUER = 'https://id.example/tenant';
export const METADATA_URL = 'https://id.example/.well-known/oauth-authorization-server/tenant';
export const JWKS_URL = 'https://id.example/tenant/jwks';

const json = (body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json', ...headers } });

export const discoveryTable: ReadonlyArray<[name: string, answer: () => Response, expected: string]> = [
  ['the metadata of this issuer', () => json({ issuer: DISCOVERY_ISSUER, jwks_uri: JWKS_URL }), 'ok'],
  // Negative cases.
  [
    'an issuer with a trailing slash',
    () => json({ issuer: `${DISCOVERY_ISSUER}/`, jwks_uri: JWKS_URL }),
    'ERR_DISCOVERY_ISSUER_MISMATCH',
  ],
  [
    'a look-alike issuer',
    () => json({ issuer: 'https://id.example.evil/tenant', jwks_uri: JWKS_URL }),
    'ERR_DISCOVERY_ISSUER_MISMATCH',
  ],
  [
    'the issuer in another case',
    () => json({ issuer: 'https://ID.example/tenant', jwks_uri: JWKS_URL }),
    'ERR_DISCOVERY_ISSUER_MISMATCH',
  ],
  ['no issuer', () => json({ jwks_uri: JWKS_URL }), 'ERR_DISCOVERY_ISSUER_MISMATCH'],
  [
    'a redirect',
    () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }),
    'ERR_DISCOVERY_STATUS',
  ],
  ['a 500', () => new Response('oops', { status: 500 }), 'ERR_DISCOVERY_STATUS'],
  ['not JSON', () => new Response('<html>'), 'ERR_DISCOVERY_INVALID'],
  ['a JSON array', () => json([DISCOVERY_ISSUER]), 'ERR_DISCOVERY_INVALID'],
  [
    'a declared length over 256 KiB',
    () => json({}, { 'content-length': String(300 * 1024) }),
    'ERR_DISCOVERY_TOO_LARGE',
  ],
  [
    'a body over 256 KiB',
    () => json({ issuer: DISCOVERY_ISSUER, jwks_uri: JWKS_URL, pad: 'x'.repeat(300 * 1024) }),
    'ERR_DISCOVERY_TOO_LARGE',
  ],
  ['no jwks_uri', () => json({ issuer: DISCOVERY_ISSUER }), 'ERR_DISCOVERY_INVALID'],
  [
    'a jwks_uri that is not a URL',
    () => json({ issuer: DISCOVERY_ISSUER, jwks_uri: 'jwks' }),
    'ERR_DISCOVERY_INVALID',
  ],
  [
    'a file: jwks_uri',
    () => json({ issuer: DISCOVERY_ISSUER, jwks_uri: 'file:///etc/passwd' }),
    'ERR_DISCOVERY_INVALID',
  ],
];
