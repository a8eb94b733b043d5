/**
 * JWE decryption in the page with WebCrypto (RFC 7516, RFC 7518 §4): the content key recovered with
 * a pasted private key (RSA-OAEP, RSA-OAEP-256, ECDH-ES and ECDH-ES+A*KW on P-256/P-384/P-521 or
 * X25519) or a pasted secret JWK (A*KW, dir), then the content decrypted (jwe-content.ts). The key
 * is never sent anywhere. RSA1_5, PBES2 and `zip` are refused, as by @sesame/jwt.
 */
import { base64urlToBytes, decodeJsonSegment, pemToDer } from './b64.js';
import { aesKey, CEK_BYTES, decryptContent } from './jwe-content.js';

type Bytes = Uint8Array<ArrayBuffer>;
const KW_BYTES: Record<string, number> = { A128KW: 16, A192KW: 24, A256KW: 32 };

/** The key as pasted: a JWK (private or oct) or a PKCS#8 PEM private key. */
function parseKey(text: string): { jwk?: JsonWebKey; der?: Bytes } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return { der: pemToDer(trimmed, 'PRIVATE KEY') };
  let jwk: JsonWebKey & { keys?: unknown };
  try {
    jwk = JSON.parse(trimmed);
  } catch {
    throw new Error('paste a private JWK or a PEM private key (-----BEGIN PRIVATE KEY-----)');
  }
  if (Array.isArray(jwk.keys)) throw new Error('paste one private JWK, not a JWK Set');
  if (jwk.kty !== 'oct' && jwk.d === undefined)
    throw new Error('this is a public key: decrypting needs the private key');
  // WebCrypto checks alg, use and key_ops against its own names: the JOSE ones are dropped.
  const { alg: _alg, use: _use, key_ops: _ops, ext: _ext, ...bare } = jwk as Record<string, unknown>;
  return { jwk: bare as JsonWebKey };
}

async function importPrivate(
  key: { jwk?: JsonWebKey; der?: Bytes },
  params: RsaHashedImportParams | EcKeyImportParams | Algorithm,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  try {
    return key.jwk
      ? await crypto.subtle.importKey('jwk', key.jwk, params, false, usages)
      : await crypto.subtle.importKey('pkcs8', key.der!, params, false, usages);
  } catch {
    throw new Error('the pasted key does not fit the token’s algorithm');
  }
}

const u32 = (value: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
};
const lengthPrefixed = (bytes: Uint8Array) => [u32(bytes.length), bytes];

/** The Concat KDF of RFC 7518 §4.6.2 (NIST SP 800-56A) with SHA-256. */
async function concatKdf(z: Uint8Array, algId: string, apu: Uint8Array, apv: Uint8Array, bytes: number) {
  const info = [
    ...lengthPrefixed(new TextEncoder().encode(algId)),
    ...lengthPrefixed(apu),
    ...lengthPrefixed(apv),
    u32(bytes * 8),
  ];
  const out: number[] = [];
  for (let round = 1; out.length < bytes; round++) {
    const parts = [u32(round), z, ...info];
    const input = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      input.set(part, at);
      at += part.length;
    }
    out.push(...new Uint8Array(await crypto.subtle.digest('SHA-256', input)));
  }
  return new Uint8Array(out.slice(0, bytes));
}

/** Unwraps the CEK with AES-KW (RFC 3394), as bytes. */
async function unwrap(kek: Bytes, wrapped: Bytes, cekBytes: number): Promise<Bytes> {
  const key = await aesKey(kek, 'AES-KW');
  try {
    const cek = await crypto.subtle.unwrapKey(
      'raw',
      wrapped,
      key,
      'AES-KW',
      { name: 'HMAC', hash: 'SHA-256', length: cekBytes * 8 },
      true,
      ['sign'],
    );
    return new Uint8Array(await crypto.subtle.exportKey('raw', cek));
  } catch {
    throw new Error('the content key does not unwrap with this key');
  }
}

async function ecdhCek(
  header: Record<string, unknown>,
  key: { jwk?: JsonWebKey; der?: Bytes },
  wrapped: Bytes,
) {
  const alg = String(header.alg);
  const enc = String(header.enc);
  const epk = header.epk as { kty?: string; crv?: string; x?: string; y?: string } | undefined;
  if (typeof epk !== 'object' || epk === null) throw new Error('the header has no epk');
  const x25519 = epk.kty === 'OKP' && epk.crv === 'X25519';
  if (!x25519 && !(epk.kty === 'EC' && ['P-256', 'P-384', 'P-521'].includes(String(epk.crv))))
    throw new Error('the epk is not a P-256, P-384, P-521 or X25519 key');
  const params: EcKeyImportParams | Algorithm = x25519
    ? { name: 'X25519' }
    : { name: 'ECDH', namedCurve: String(epk.crv) };
  const publicJwk: JsonWebKey = x25519
    ? { kty: 'OKP', crv: 'X25519', x: epk.x }
    : { kty: 'EC', crv: epk.crv, x: epk.x, y: epk.y };
  let ephemeral: CryptoKey;
  try {
    // The browser refuses a point off the curve here (the invalid-curve attack).
    ephemeral = await crypto.subtle.importKey('jwk', publicJwk, params, false, []);
  } catch {
    throw new Error('the epk is not a valid public key of its curve');
  }
  const own = await importPrivate(key, params, ['deriveBits']);
  const bits = x25519 ? 256 : { 'P-256': 256, 'P-384': 384, 'P-521': 528 }[String(epk.crv)]!;
  const z = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: params.name, public: ephemeral } as EcdhKeyDeriveParams,
      own,
      bits,
    ),
  );
  const apu = typeof header.apu === 'string' ? base64urlToBytes(header.apu) : new Uint8Array();
  const apv = typeof header.apv === 'string' ? base64urlToBytes(header.apv) : new Uint8Array();
  if (alg === 'ECDH-ES') {
    if (wrapped.length !== 0) throw new Error('ECDH-ES has an empty encrypted key');
    return concatKdf(z, enc, apu, apv, CEK_BYTES[enc]!);
  }
  const kw = alg.slice('ECDH-ES+'.length);
  return unwrap(await concatKdf(z, alg, apu, apv, KW_BYTES[kw]!), wrapped, CEK_BYTES[enc]!);
}

/** The content key of the token, from the pasted key. */
async function contentKey(header: Record<string, unknown>, keyText: string, wrapped: Bytes): Promise<Bytes> {
  const alg = String(header.alg);
  const enc = String(header.enc);
  const key = parseKey(keyText);
  if (alg === 'RSA-OAEP' || alg === 'RSA-OAEP-256') {
    const hash = alg === 'RSA-OAEP' ? 'SHA-1' : 'SHA-256';
    const own = await importPrivate(key, { name: 'RSA-OAEP', hash }, ['decrypt']);
    try {
      return new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, own, wrapped));
    } catch {
      throw new Error('the content key does not decrypt with this key');
    }
  }
  if (alg.startsWith('ECDH-ES')) return ecdhCek(header, key, wrapped);
  if (key.jwk?.kty !== 'oct' || typeof key.jwk.k !== 'string')
    throw new Error(`${alg} needs a secret: paste an oct JWK`);
  const secret = base64urlToBytes(key.jwk.k);
  if (alg === 'dir') {
    if (wrapped.length !== 0) throw new Error('dir has an empty encrypted key');
    return secret;
  }
  if (KW_BYTES[alg] === undefined || secret.length !== KW_BYTES[alg])
    throw new Error(`the secret is not an ${alg} key`);
  return unwrap(secret, wrapped, CEK_BYTES[enc]!);
}

const SUPPORTED = [
  'RSA-OAEP',
  'RSA-OAEP-256',
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A256KW',
  'A128KW',
  'A192KW',
  'A256KW',
  'dir',
];

/**
 * Decrypts a compact JWE with the pasted key, in the page.
 *
 * @example const { header, plaintext } = await decryptJwe(token, pastedJwk);
 */
export async function decryptJwe(
  token: string,
  keyText: string,
): Promise<{ header: Record<string, unknown>; plaintext: string }> {
  const segments = token.split('.');
  if (segments.length !== 5) throw new Error('a JWE has five parts');
  const header = decodeJsonSegment(segments[0]!, 'header');
  const { alg, enc } = header;
  if (alg === 'RSA1_5' || (typeof alg === 'string' && alg.startsWith('PBES2')))
    throw new Error(`${alg} is refused (as by Sesame)`);
  if (header.zip !== undefined) throw new Error('compressed (zip) tokens are refused');
  if (typeof alg !== 'string' || !SUPPORTED.includes(alg))
    throw new Error('the key management algorithm is not supported');
  if (typeof enc !== 'string' || CEK_BYTES[enc] === undefined)
    throw new Error('the content encryption is not supported');
  const cek = await contentKey(header, keyText, base64urlToBytes(segments[1]!));
  let plain: Bytes;
  try {
    plain = await decryptContent(enc, cek, segments);
  } catch (problem) {
    throw new Error(
      problem instanceof Error && /tag|length/.test(problem.message)
        ? problem.message
        : 'the token does not decrypt with this key',
    );
  }
  return { header, plaintext: new TextDecoder().decode(plain) };
}
