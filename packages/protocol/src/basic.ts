import { ProtocolError } from './errors.js';
import { authorizationValue, refuse } from './lib/header.js';

/**
 * RFC 7617 §2: `credentials = "Basic" 1*SP token68`; Base64 (RFC 4648 §4, padded) of
 * `user-id ":" password`. As for Bearer, nothing may precede the scheme or follow the token (the
 * HTTP parser has already removed the OWS around the field value, RFC 9110 §5.5).
 */
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2})$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Client credentials carried by HTTP Basic (RFC 6749 §2.3.1). */
export interface ClientCredentials {
  clientId: string;
  /** Empty when the client sent `id:` (public clients through tools that always send Basic). */
  clientSecret: string;
}

/** RFC 6749 Appendix B: application/x-www-form-urlencoded, as URLSearchParams writes it. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** Appendix B decoding: "+" is a space, %XX are UTF-8 octets; control characters are refused. */
function formDecode(value: string): string | undefined {
  try {
    const decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    return /[\x00-\x1f\x7f]/.test(decoded) ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/**
 * The octets of a binary string (one character per octet, as `atob` returns), by index: on the
 * token endpoint's path, where `Uint8Array.from(text, mapFn)` walked a string iterator and called
 * a function per character.
 */
function binaryBytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function malformed(message: string): ProtocolError {
  return new ProtocolError('ERR_CREDENTIALS_MALFORMED', message);
}

/**
 * RFC 6749 §2.3.1: the client id and secret are each form-urlencoded (Appendix B) before being
 * joined with ":" and Base64-encoded. So "+" in the decoded text is a space and %XX are octets.
 * Errors: `ERR_CREDENTIALS_MISSING`, `ERR_CREDENTIALS_SCHEME` (e.g. Bearer), or
 * `ERR_CREDENTIALS_MALFORMED` (not Base64, not UTF-8, no ":", an empty client id, not form-encoded).
 *
 * @example parseBasicCredentials('Basic bXkrY2xpZW50OnM%3D') // { clientId: 'my client', clientSecret: ... }
 */
export function parseBasicCredentials(header: string | readonly string[] | undefined): ClientCredentials {
  const value = authorizationValue(header, 'Basic');
  const match = BASIC.exec(value);
  if (!match) throw refuse(value, 'Basic');
  const encoded = match[1] as string;
  if (encoded.length % 4 !== 0) throw malformed('the Basic credentials are not valid Base64');
  let text: string;
  try {
    text = utf8.decode(binaryBytes(atob(encoded)));
  } catch {
    throw malformed('the Basic credentials are not Base64 of UTF-8 text');
  }
  const colon = text.indexOf(':');
  if (colon === -1) throw malformed('the Basic credentials have no ":"');
  const clientId = formDecode(text.slice(0, colon));
  const clientSecret = formDecode(text.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined || clientId === '') {
    throw malformed('the Basic credentials are not form-urlencoded');
  }
  return { clientId, clientSecret };
}

/**
 * The Authorization header value that sends client credentials by HTTP Basic (RFC 6749 §2.3.1).
 *
 * @example formatBasicCredentials('my client', 's3cret') // 'Basic bXkrY2xpZW50OnMzY3JldA=='
 */
export function formatBasicCredentials(clientId: string, clientSecret: string): string {
  const bytes = new TextEncoder().encode(`${formEncode(clientId)}:${formEncode(clientSecret)}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}
