/**
 * A counted reference for bench/id-token.bench.ts: does one thing `count` times after a warm-up
 * of 1,000: `raw`, an ES256 signature with node:crypto alone over 400 bytes (IEEE P1363); `jws`,
 * @sesame/jwt's signer over an ID token's claims (header, JSON, base64url and the same
 * signature); `athash`, the ID token's `at_hash` of an access token as the server computes it
 * (OpenID Connect Core §3.1.3.6: the left half of its SHA-256, base64url). Run with count 0 and
 * count N under callgrind; the difference over N is one call.
 *
 * Usage: node --import tsx bench/targets/signatures.ts raw|jws|athash COUNT
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createSigner, importKey } from '@sesame/jwt';

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
if (!['raw', 'jws', 'athash'].includes(kind ?? '') || !Number.isInteger(count)) {
  process.stderr.write('usage: signatures.ts raw|jws|athash COUNT\n');
  process.exit(2);
}
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = createSigner({ key: importKey(privateKey, 'ES256'), typ: 'JWT', issuedAt: false });
// An ID token's claims as the server writes them (sizes as in a real one).
const claims = {
  iss: 'http://127.0.0.1:40000',
  sub: '3f1c2a9e-5b7d-4e2f-9a61-0c8d7e6f5a4b',
  aud: 'c_8f0e6d4c2b1a39587f6e5d4c',
  exp: 1_800_000_900,
  iat: 1_800_000_000,
  auth_time: 1_799_999_000,
  azp: 'c_8f0e6d4c2b1a39587f6e5d4c',
  amr: ['pwd'],
  acr: 'urn:sesame:acr:pwd',
  sid: 'Yk3nF0qXw2u8Jt5LrC7aZb',
  at_hash: 'mZ1xq3V7bNc9T2kLp5RwYg',
};
const data = Buffer.alloc(400, 1);
const once =
  kind === 'raw'
    ? () => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    : () => signer(claims);
for (let i = 0; i < 1000; i++) once();
for (let i = 0; i < count; i++) once();
