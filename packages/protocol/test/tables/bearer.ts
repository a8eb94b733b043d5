/**
 * THE table of the Bearer header rule (RFC 6750 §2.1). Run through @sesame/protocol's parseBearer,
 * the server's bearer routes and the guard, so they can never disagree. `token` rows are accepted
 * and yield that token; the others are refused with that code.
 */
export const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln';

export type BearerOutcome =
  | { token: string }
  | { code: 'ERR_CREDENTIALS_MISSING' | 'ERR_CREDENTIALS_SCHEME' | 'ERR_CREDENTIALS_MALFORMED' };

export const bearerTable: ReadonlyArray<
  [name: string, header: string | string[] | undefined, outcome: BearerOutcome]
> = [
  ['Bearer and a token', `Bearer ${TOKEN}`, { token: TOKEN }],
  ['the scheme in lower case', `bearer ${TOKEN}`, { token: TOKEN }],
  ['the scheme in mixed case', `BeArEr ${TOKEN}`, { token: TOKEN }],
  ['several spaces after the scheme (1*SP)', `Bearer   ${TOKEN}`, { token: TOKEN }],
  ['b64token characters and padding', 'Bearer aZ09-._~+/==', { token: 'aZ09-._~+/==' }],
  ['one array value', [`Bearer ${TOKEN}`], { token: TOKEN }],
  // Negative cases.
  ['no header', undefined, { code: 'ERR_CREDENTIALS_MISSING' }],
  ['an empty header', '', { code: 'ERR_CREDENTIALS_MISSING' }],
  ['an empty array', [], { code: 'ERR_CREDENTIALS_MISSING' }],
  ['Basic credentials', 'Basic dXNlcjpwYXNz', { code: 'ERR_CREDENTIALS_SCHEME' }],
  ['another scheme with no value', 'Negotiate', { code: 'ERR_CREDENTIALS_SCHEME' }],
  ['Bearer alone', 'Bearer', { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['Bearer and a space', 'Bearer ', { code: 'ERR_CREDENTIALS_MALFORMED' }],
  [
    'a trailing space (the HTTP parser strips it; a caller-built value keeps it)',
    `Bearer ${TOKEN} `,
    { code: 'ERR_CREDENTIALS_MALFORMED' },
  ],
  ['a leading space', ` Bearer ${TOKEN}`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['a trailing no-break space (byte 0xA0)', `Bearer ${TOKEN}\u00a0`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['a trailing tab', `Bearer ${TOKEN}\t`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['a tab instead of the space', `Bearer\t${TOKEN}`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['no space: BearerTOKEN', `Bearer${TOKEN}`, { code: 'ERR_CREDENTIALS_SCHEME' }],
  ['two tokens', `Bearer ${TOKEN} ${TOKEN}`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  [
    'a comma-joined second credential',
    `Bearer ${TOKEN}, Basic dXNlcjpwYXNz`,
    { code: 'ERR_CREDENTIALS_MALFORMED' },
  ],
  ['a character outside b64token', 'Bearer abc$def', { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['padding in the middle', 'Bearer ab=cd', { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['only padding', 'Bearer ==', { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['a quoted token', `Bearer "${TOKEN}"`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['two array values', [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`], { code: 'ERR_CREDENTIALS_MALFORMED' }],
  ['over 16 KiB', `Bearer ${'a'.repeat(16 * 1024)}`, { code: 'ERR_CREDENTIALS_MALFORMED' }],
];
