/**
 * JWE content decryption with WebCrypto (RFC 7518 §5): AES-GCM, and AES-CBC with HMAC-SHA-2 whose
 * tag is checked before anything is decrypted (§5.2.2.2). In the page only; the key never leaves it.
 */
import { base64urlToBytes } from './b64.js';

type Bytes = Uint8Array<ArrayBuffer>;

/** The CEK length in bytes of each content encryption (RFC 7518 §5.1). */
export const CEK_BYTES: Record<string, number> = {
  A128GCM: 16,
  A192GCM: 24,
  A256GCM: 32,
  'A128CBC-HS256': 32,
  'A192CBC-HS384': 48,
  'A256CBC-HS512': 64,
};

const concat = (...parts: Uint8Array[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/** A 64-bit big-endian number (AL, the AAD's length in bits). */
function uint64(value: number): Bytes {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/**
 * An AES key. Chromium's WebCrypto has no 192-bit AES, so A192* tokens do not decrypt there (the
 * page says the token does not decrypt); other browsers have it.
 */
export function aesKey(bytes: Bytes, name: 'AES-GCM' | 'AES-CBC' | 'AES-KW'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytes, name, false, name === 'AES-KW' ? ['unwrapKey'] : ['decrypt']);
}

/**
 * The plaintext of the JWE's content: `segments` are its five parts, `cek` the content key.
 *
 * @example const plaintext = await decryptContent('A256GCM', cek, token.split('.'));
 */
export async function decryptContent(enc: string, cek: Bytes, segments: readonly string[]): Promise<Bytes> {
  const aad = new TextEncoder().encode(segments[0]!);
  const iv = base64urlToBytes(segments[2]!);
  const ciphertext = base64urlToBytes(segments[3]!);
  const tag = base64urlToBytes(segments[4]!);
  if (cek.length !== CEK_BYTES[enc]) throw new Error('the content key has the wrong length');
  if (enc.endsWith('GCM')) {
    if (tag.length !== 16) throw new Error('the tag has the wrong length');
    const key = await aesKey(cek, 'AES-GCM');
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 },
      key,
      concat(ciphertext, tag),
    );
    return new Uint8Array(plain);
  }
  const half = cek.length / 2;
  const hash = `SHA-${half * 8 * 2}`;
  if (tag.length !== half) throw new Error('the tag has the wrong length');
  const macKey = await crypto.subtle.importKey('raw', cek.slice(0, half), { name: 'HMAC', hash }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', macKey, concat(aad, iv, ciphertext, uint64(aad.length * 8))),
  );
  // In a page that holds its own key there is no oracle to hide: a plain comparison will do.
  if (mac.slice(0, half).some((byte, i) => byte !== tag[i]))
    throw new Error('the authentication tag does not match');
  const encKey = await aesKey(cek.slice(half), 'AES-CBC');
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv }, encKey, ciphertext));
}
