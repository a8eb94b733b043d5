/**
 * What the bare routes of the benchmarks (ceiling.ts, rotation-floor.ts) share: the client check any
 * token endpoint makes (HTTP Basic, the secret's SHA-256 compared in constant time, as Sesame stores
 * it) and the RFC 9068 access token's claims, signed ES256 with node:crypto.
 */
import { createHash, type KeyObject, randomUUID, sign, timingSafeEqual } from 'node:crypto';

export const ACCESS_TOKEN_LIFE = 900;

/** `(authorization header) => client id`, or undefined when it is not this client with this secret. */
export function basicClient(
  clientId: string,
  secret: string,
): (authorization: string | undefined) => string | undefined {
  const secretHash = createHash('sha256').update(secret).digest();
  return (authorization) => {
    if (authorization === undefined || !authorization.startsWith('Basic ')) return undefined;
    const text = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon === -1) return undefined;
    const id = decodeURIComponent(text.slice(0, colon));
    const hash = createHash('sha256')
      .update(decodeURIComponent(text.slice(colon + 1)))
      .digest();
    return id === clientId && timingSafeEqual(hash, secretHash) ? id : undefined;
  };
}

/** `(sub, clientId, scope) => signing input` of an access token; the header is encoded once. */
export function accessTokenInput(
  kid: string,
  issuer: string,
): (sub: string, clientId: string, scope: string) => string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url');
  return (sub, clientId, scope) => {
    const iat = Math.floor(Date.now() / 1000);
    const payload = {
      iss: issuer,
      sub,
      aud: 'sesame',
      exp: iat + ACCESS_TOKEN_LIFE,
      iat,
      jti: randomUUID(),
      client_id: clientId,
      scope,
    };
    return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  };
}

/** The ES256 signature of a signing input (IEEE P1363), base64url. */
export function es256Signature(input: string, key: KeyObject): string {
  return sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}
