/**
 * THE table of the scope string rule (RFC 6749 §3.3): `scope = scope-token *( SP scope-token )`,
 * `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`. `scopes` rows parse to that list; `null` rows are
 * refused (ERR_SCOPE_MALFORMED, invalid_scope at the token endpoint).
 */
export const scopeTable: ReadonlyArray<[name: string, scope: string, scopes: string[] | null]> = [
  ['one token', 'openid', ['openid']],
  ['two tokens', 'openid quiz', ['openid', 'quiz']],
  ['punctuation allowed by the grammar', 'quiz:read a!b#c[d]e~f', ['quiz:read', 'a!b#c[d]e~f']],
  ['a repeated token counts once', 'quiz quiz', ['quiz']],
  ['the empty string asks for nothing', '', []],
  // Negative cases.
  ['two spaces between tokens', 'openid  quiz', null],
  ['a leading space', ' openid', null],
  ['a trailing space', 'openid ', null],
  ['only a space', ' ', null],
  ['a tab separator', 'openid\tquiz', null],
  ['a double quote', 'a"b', null],
  ['a backslash', 'a\\b', null],
  ['a non-ASCII character', 'quïz', null],
  ['a control character', 'quiz\u0001', null],
  ['DEL', 'quiz\u007f', null],
];

/** Lists of scope tokens (configuration, admin API, CLI after splitting): valid or not. */
export const scopeTokenTable: ReadonlyArray<[name: string, token: string, valid: boolean]> = [
  ['a word', 'quiz', true],
  ['a colon and a slash', 'api:quiz/read', true],
  ['a comma (a valid scope-token character)', 'a,b', true],
  ['an empty token', '', false],
  ['a space', 'a b', false],
  ['a double quote', 'a"', false],
  ['a backslash', 'a\\', false],
  ['non-ASCII', 'é', false],
];
