import { ProtocolError } from '../errors.js';

/** Headers longer than this are refused before any parsing (a JWT is a few hundred bytes). */
export const MAX_AUTHORIZATION_LENGTH = 16 * 1024;

/** RFC 9110 §11.1: auth-scheme = token; the scheme is what precedes the first SP. */
const SCHEME = /^([A-Za-z0-9!#$%&'*+\-.^_`|~]+)(?: |$)/;

/**
 * The one Authorization field value of a request, as Node gives it (a string) or as some
 * frameworks do (an array of values). Absent or empty: no credentials. Several values: RFC 6750
 * §3.1, a request that "uses more than one method" is malformed.
 */
export function authorizationValue(header: string | readonly string[] | undefined, scheme: string): string {
  if (header === undefined) throw missing();
  if (typeof header !== 'string') {
    if (!Array.isArray(header)) throw malformed(scheme, 'the Authorization header is not a string');
    if (header.length === 0) throw missing();
    if (header.length > 1) throw malformed(scheme, 'more than one Authorization header');
    return authorizationValue(header[0] as string, scheme);
  }
  if (header === '') throw missing();
  if (header.length > MAX_AUTHORIZATION_LENGTH)
    throw malformed(scheme, 'the Authorization header is too long');
  return header;
}

/**
 * A value that failed the scheme's grammar: another scheme when it starts with a scheme token other
 * than `expected` (RFC 6750 §3.1: "attempted using an unsupported authentication method"),
 * otherwise malformed credentials of the expected scheme.
 */
export function refuse(value: string, expected: string): ProtocolError {
  const found = SCHEME.exec(value)?.[1];
  if (found !== undefined && found.toLowerCase() !== expected.toLowerCase()) {
    return new ProtocolError(
      'ERR_CREDENTIALS_SCHEME',
      `the Authorization header is not ${expected} credentials`,
    );
  }
  return malformed(expected, `the Authorization header is not "${expected}" followed by one token`);
}

function missing(): ProtocolError {
  return new ProtocolError('ERR_CREDENTIALS_MISSING', 'no Authorization header');
}

function malformed(_scheme: string, message: string): ProtocolError {
  return new ProtocolError('ERR_CREDENTIALS_MALFORMED', message);
}
