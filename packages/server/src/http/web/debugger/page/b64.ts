/**
 * base64url (RFC 7515 §2) and PEM in the browser. Decoding is strict like @sesame/jwt's: only the
 * URL-safe alphabet, no padding, so the page shows the same verdict as the server would.
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function base64urlToBytes(input: string): Uint8Array<ArrayBuffer> {
  if (!ALPHABET.test(input) || input.length % 4 === 1) throw new Error('not valid base64url');
  const base64 = input.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64url(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function textToBase64url(text: string): string {
  return bytesToBase64url(new TextEncoder().encode(text));
}

/** A JSON object from a base64url segment; `what` names the part in the error. */
export function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(base64urlToBytes(segment));
  } catch {
    throw new Error(`the ${what} is not valid base64url UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The DER bytes of a PEM block with the given label (e.g. "PUBLIC KEY"). */
export function pemToDer(pem: string, label: string): Uint8Array<ArrayBuffer> {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!match) throw new Error(`expected a PEM block "${label}"`);
  const base64 = match[1]!.replace(/\s+/g, '');
  return base64urlToBytes(base64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
}

export function derToPem(der: ArrayBuffer, label: string): string {
  const base64 = bytesToBase64url(der).replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const lines = padded.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
