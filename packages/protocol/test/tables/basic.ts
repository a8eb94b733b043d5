/**
 * THE table of HTTP Basic client credentials (RFC 6749 §2.3.1, RFC 7617 §2). `credentials` rows
 * decode to that client id and secret; the others are refused with that code.
 */
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export type BasicOutcome =
  | { clientId: string; clientSecret: string }
  | { code: 'ERR_CREDENTIALS_MISSING' | 'ERR_CREDENTIALS_SCHEME' | 'ERR_CREDENTIALS_MALFORMED' };

export const basicTable: ReadonlyArray<[name: string, header: string | undefined, outcome: BasicOutcome]> = [
  ['id and secret', `Basic ${b64('app:s3cret')}`, { clientId: 'app', clientSecret: 's3cret' }],
  ['the scheme in lower case', `basic ${b64('app:s3cret')}`, { clientId: 'app', clientSecret: 's3cret' }],
  [
    '"+" is a space, %XX are octets',
    `Basic ${b64('my+app:a%3Ab%2Fc%25%C3%BC')}`,
    { clientId: 'my app', clientSecret: 'a:b/c%ü' },
  ],
  ['a colon in the secret, encoded', `Basic ${b64('app:x%3Ay')}`, { clientId: 'app', clientSecret: 'x:y' }],
  [
    'a raw colon in the secret (everything after the first)',
    `Basic ${b64('app:x:y')}`,
    { clientId: 'app', clientSecret: 'x:y' },
  ],
  [
    'an empty secret (a public client through a tool)',
    `Basic ${b64('app:')}`,
    { clientId: 'app', clientSecret: '' },
  ],
  // Negative cases.
  ['no header', undefined, { code: 'ERR_CREDENTIALS_MISSING' }],
  ['a Bearer token', 'Bearer abc', { code: 'ERR_CREDENTIALS_SCHEME' }],
  ['Basic alone', 'Basic', { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['a trailing space', `Basic ${b64('app:s3cret')} `, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['not Base64', 'Basic app:s3cret', { code: 'ERR_CREDENTIALS_MALFORMED' }],
  [
    'Base64 without its padding',
    `Basic ${b64('app:s3cret1').replace(/=+$/, '')}`,
    { code: 'ERR_CREDENTIALS_MALFORMED' },
  ],
  ['no colon', `Basic ${b64('app')}`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['an empty client id', `Basic ${b64(':s3cret')}`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['a broken percent escape', `Basic ${b64('app:%E0%A4%A')}`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['an encoded control character', `Basic ${b64('app%0A:s3cret')}`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  [
    'bytes that are not UTF-8',
    `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`,
    { code: 'ERR_CREDENTIALS_MALFORMED' },
  ],
];
