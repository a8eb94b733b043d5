import { createHash, randomUUID } from 'node:crypto';
import { type Algorithm, createSigner, createVerifier, importKey, type JwsHeader } from '@sesame/jwt';
import type { SesameConfig } from '../../config/config.js';
import type { Keyring } from '../keys/keyring.js';
import { signersFor } from './signers.js';

/** Where access tokens get their signing key and the keys that verify them (the keyring). */
export type AccessTokenKeys = Pick<Keyring, 'signingKey' | 'keySet'>;

/** What the server puts in an access token, whatever the profile. */
export interface AccessTokenSubject {
  /** A user id, or the client id for client_credentials. */
  subject: string;
  clientId: string;
  scopes: readonly string[];
  /** For users: the username (RFC 9068 leaves extra claims to the issuer). */
  username?: string;
  /** The refresh family (login session), when there is one. */
  sessionId?: string;
  audience: string | string[];
  /**
   * Claims /userinfo returns by name besides its scopes' (OpenID Connect Core §5.5), as the private
   * claim `userinfo_claims`; not in the classic profile, whose payload is fixed.
   */
  userinfoClaims?: readonly string[];
  /** RFC 9449 §6.1: the thumbprint of the key the token is bound to, as `cnf.jkt`. */
  dpopJkt?: string;
}

export interface IssuedAccessToken {
  token: string;
  /** The token's life in seconds, for `expires_in`. */
  expiresIn: number;
  /** NumericDate of `exp`. */
  expiresAt: number;
  jti: string | undefined;
  /**
   * The id the denylist knows the token by: its jti, or for classic tokens (which have none)
   * "sha256:" + the token's hash, as `verify` reports it. Given here so the issuer never has to
   * verify its own token again to learn it.
   */
  revocationId: string;
}

/** The claims of a verified access token, normalised across profiles. */
export interface AccessTokenClaims {
  sub: string;
  iss: string;
  aud: string | string[];
  exp: number;
  iat: number;
  /** The jti, or for classic tokens (which have none) "sha256:" + the token's hash. */
  jti?: string;
  client_id?: string;
  scopes: string[];
  username?: string;
  sid?: string;
  /** The `kid` of the header: which signing key signed it (for `kid` revocations). */
  kid?: string;
  /** The payload as signed, for introspection. */
  raw: Record<string, unknown>;
}

export interface AccessTokens {
  issue(subject: AccessTokenSubject): IssuedAccessToken;
  /**
   * Verifies signature, algorithm, typ, issuer and expiry, whatever the audience; throws a JwtError
   * otherwise. For introspection and revocation, which are about any token Sesame issued.
   */
  verify(token: string): AccessTokenClaims;
  /**
   * `verify`, and the token's aud must include Sesame's own audience (`config.audience`): the check
   * of Sesame's own bearer routes (/admin/*, /userinfo). RFC 9068 §4, RFC 8725 §3.9: a token issued
   * for another API must not be replayable at Sesame.
   */
  verifyForSesame(token: string): AccessTokenClaims;
}

/**
 * Access tokens in one of two profiles. `default`: RFC 9068 — header `typ: at+jwt` and `kid`,
 * claims iss, sub, aud, exp, iat, jti, client_id, scope (space-separated), username, sid.
 * `classic`: the payload of the classic design, exactly — iss, iat, exp, aud, sub, username,
 * scopes (an array) — HS256 with the shared secret, so `jwt.decode(token, secret, audience=...,
 * algorithms=['HS256'])` in Python accepts it.
 *
 * @example
 * const tokens = createAccessTokens({ config, keys: keyring, now: Date.now });
 * const { token, expiresIn } = tokens.issue({ subject: user.id, clientId, scopes: ['openid'], audience: 'api' });
 */
export function createAccessTokens(options: {
  config: SesameConfig;
  keys: AccessTokenKeys;
  now: () => number;
}): AccessTokens {
  const { config, keys, now } = options;
  const lifeSeconds = Math.floor(config.accessTokenTtl / 1000);
  const currentDate = () => new Date(now());
  if (config.tokenProfile === 'classic') return classicTokens(config, lifeSeconds, now, currentDate);

  const verifierFor = (audience: string | undefined) =>
    createVerifier({
      key: { select: (header: JwsHeader) => keys.keySet().select(header) },
      algorithms: [config.algorithm as Algorithm],
      issuer: config.issuer,
      ...(audience === undefined ? {} : { audience }),
      typ: 'at+jwt',
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      currentDate,
    });
  const verifier = verifierFor(undefined);
  const sesameVerifier = verifierFor(config.audience);
  const claimsOf = ({ header, payload }: { header: JwsHeader; payload: Record<string, unknown> }) => {
    const scope = typeof payload.scope === 'string' ? payload.scope : '';
    return { ...normalise(payload, scope.split(' ').filter(Boolean)), kid: header.kid };
  };
  // RFC 9068 §2.1: the header typ is "at+jwt", so an ID token cannot pass for an access token.
  const signerFor = signersFor('at+jwt');
  return {
    issue(subject) {
      const iat = Math.floor(now() / 1000);
      const jti = randomUUID();
      const payload: Record<string, unknown> = {
        iss: config.issuer,
        sub: subject.subject,
        aud: subject.audience,
        exp: iat + lifeSeconds,
        iat,
        jti,
        client_id: subject.clientId,
        scope: subject.scopes.join(' '),
      };
      if (subject.username !== undefined) payload.username = subject.username;
      if (subject.sessionId !== undefined) payload.sid = subject.sessionId;
      if (subject.userinfoClaims?.length) payload.userinfo_claims = [...subject.userinfoClaims];
      if (subject.dpopJkt !== undefined) payload.cnf = { jkt: subject.dpopJkt };
      const token = signerFor(keys.signingKey())(payload);
      return { token, expiresIn: lifeSeconds, expiresAt: iat + lifeSeconds, jti, revocationId: jti };
    },
    verify: (token) => claimsOf(verifier(token)),
    verifyForSesame: (token) => claimsOf(sesameVerifier(token)),
  };
}

function classicTokens(
  config: SesameConfig,
  lifeSeconds: number,
  now: () => number,
  currentDate: () => Date,
): AccessTokens {
  const secret = importKey(config.hmacSecret, 'HS256');
  const signClassic = createSigner({ key: secret, typ: 'JWT', issuedAt: false });
  const verifierFor = (audience: string | undefined) =>
    createVerifier({
      key: secret,
      algorithms: ['HS256'],
      issuer: config.issuer,
      ...(audience === undefined ? {} : { audience }),
      requiredClaims: ['sub', 'exp', 'iat'],
      currentDate,
    });
  const verifier = verifierFor(undefined);
  const sesameVerifier = verifierFor(config.audience);
  // The classic payload has no jti; the token's fingerprint stands in for it, so a classic
  // token can still be put on the denylist.
  const fingerprint = (token: string) => `sha256:${createHash('sha256').update(token).digest('base64url')}`;
  const claimsOf = (token: string, payload: Record<string, unknown>) => {
    const scopes = Array.isArray(payload.scopes) ? payload.scopes.filter((s) => typeof s === 'string') : [];
    return normalise(payload, scopes, fingerprint(token));
  };
  return {
    issue(subject) {
      const iat = Math.floor(now() / 1000);
      // The classic payload, in the classic order; nothing more (no jti, client_id or sid).
      const payload: Record<string, unknown> = {
        iss: config.issuer,
        iat,
        exp: iat + lifeSeconds,
        aud: subject.audience,
        sub: subject.subject,
      };
      if (subject.username !== undefined) payload.username = subject.username;
      payload.scopes = [...subject.scopes];
      const token = signClassic(payload);
      return {
        token,
        expiresIn: lifeSeconds,
        expiresAt: iat + lifeSeconds,
        jti: undefined,
        revocationId: fingerprint(token),
      };
    },
    verify: (token) => claimsOf(token, verifier(token).payload),
    verifyForSesame: (token) => claimsOf(token, sesameVerifier(token).payload),
  };
}

function normalise(
  payload: Record<string, unknown>,
  scopes: string[],
  fingerprint?: string,
): AccessTokenClaims {
  const text = (name: string) => (typeof payload[name] === 'string' ? (payload[name] as string) : undefined);
  return {
    sub: payload.sub as string,
    iss: payload.iss as string,
    aud: payload.aud as string | string[],
    exp: payload.exp as number,
    iat: payload.iat as number,
    jti: text('jti') ?? fingerprint,
    client_id: text('client_id'),
    scopes,
    username: text('username'),
    sid: text('sid'),
    raw: payload,
  };
}
