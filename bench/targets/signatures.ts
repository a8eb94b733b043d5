/**
 * A counted reference for bench/id-token.bench.ts: does one thing `count` times after a warm-up
 * of 1,000: `raw`, an ES256 signature with node:crypto alone over 400 bytes (IEEE P1363); `jws`,
 * @sesame/jwt's signer over an ID token's claims (header, JSON, base64url and the same
 * signature); `athash`, the ID token's `at_hash` of an access token by the server's own function
 * (the built packages/server/dist; OpenID Connect Core §3.1.3.6: the left half of its SHA-256,
 * base64url). Then it waits: each line on stdin runs COUNT more calls and answers `done`, so that
 * the caller can zero and dump callgrind's counters around exactly those calls.
 *
 * Usage: node --import tsx bench/targets/signatures.ts raw|jws|athash COUNT
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { createSigner, importKey } from '@sesame/jwt';
import { atHash } from '../../packages/server/dist/domain/tokens/at-hash.js';

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
// An access token of the size the code exchange issues (about 700 characters).
const accessToken = `${'e'.repeat(36)}.${'p'.repeat(580)}.${'s'.repeat(86)}`;
const once =
  kind === 'raw'
    ? () => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    : kind === 'jws'
      ? () => signer(claims)
      : () => atHash(accessToken, 'ES256');
for (let i = 0; i < 1000; i++) once();
process.stdout.write('ready\n');
process.stdin.on('data', () => {
  for (let i = 0; i < count; i++) once();
  process.stdout.write('done\n');
});
