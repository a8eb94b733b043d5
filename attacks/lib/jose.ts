import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  sign,
} from 'node:crypto';

/**
 * The attacker's JOSE tools, on node:crypto alone: a forger must not borrow the code under test,
 * or a bug shared by both would cancel out.
 */

export const b64u = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** A header or payload segment from a value (JSON) or from exact bytes. */
export function segment(value: unknown): string {
  return Buffer.isBuffer(value) ? b64u(value) : b64u(JSON.stringify(value));
}

export interface Parts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  h: string;
  p: string;
  s: string;
}

/** Splits a compact JWS that the server issued (so well-formed). */
export function parts(token: string): Parts {
  const [h, p, s] = token.split('.') as [string, string, string];
  const read = (text: string) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  return { header: read(h), payload: read(p), h, p, s };
}

/** HMAC-SHA-2 over `h.p`, keyed with any bytes (a PEM text, a DER key, an empty string ...). */
export function hmac(input: string, key: Buffer | string, bits: 256 | 384 | 512 = 256): string {
  return createHmac(`sha${bits}`, key).update(input, 'latin1').digest('base64url');
}

/** ES256 over `h.p` in JOSE's raw r||s form. */
export function es256(input: string, key: KeyObject): string {
  return sign('sha256', Buffer.from(input, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }).toString(
    'base64url',
  );
}

/** A token from a header and payload (values or bytes), signed by `signer` over `h.p`. */
export function forge(header: unknown, payload: unknown, signer: (input: string) => string): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${signer(input)}`;
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JsonWebKey & { kid: string };
}

/** A fresh P-256 key pair of the attacker's, with its public JWK. */
export function attackerKey(kid = 'attacker'): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256' } };
}

/** A private key from a JWK (the leaked-key simulation reads one from a data dir). */
export function privateFromJwk(jwk: JsonWebKey): KeyObject {
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** The forms of a public key a confused verifier might take as an HMAC secret. */
export function publicKeyForms(jwk: JsonWebKey): Record<string, Buffer | string> {
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const pem = key.export({ format: 'pem', type: 'spki' }).toString();
  const der = key.export({ format: 'der', type: 'spki' });
  return {
    'PEM text': pem,
    'PEM text without the final newline': pem.trimEnd(),
    'PEM text with CRLF line ends': pem.replace(/\n/g, '\r\n'),
    'JWK JSON as published': JSON.stringify(jwk),
    ...(jwk.kty === 'RSA'
      ? {
          'JWK JSON of the bare key (kty, n, e)': JSON.stringify({ kty: jwk.kty, n: jwk.n, e: jwk.e }),
          'PKCS#1 PEM text': key.export({ format: 'pem', type: 'pkcs1' }).toString(),
          'raw modulus n': Buffer.from(jwk.n!, 'base64url'),
        }
      : {
          'JWK JSON of the bare key (kty, crv, x, y)': JSON.stringify({
            kty: jwk.kty,
            crv: jwk.crv,
            x: jwk.x,
            y: jwk.y,
          }),
          'x||y raw point': Buffer.concat([
            Buffer.from(jwk.x!, 'base64url'),
            Buffer.from(jwk.y!, 'base64url'),
          ]),
        }),
    'DER (SPKI) bytes': der,
    'DER (SPKI) as base64': der.toString('base64'),
  };
}

/** The order n of P-256 (SEC 2 §2.4.2). */
export const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** A 32-byte big-endian integer. */
export function int32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw r||s signature (what OpenSSL emits by default). */
export function rawToDer(raw: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let body = bytes.subarray(i);
    if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const content = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, content.length]), content]);
}
