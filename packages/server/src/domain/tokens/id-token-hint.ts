/**
 * Verifying an `id_token_hint`: an ID token this server issued, handed back by a relying party at
 * the authorization endpoint (OpenID Connect Core §3.1.2.1) or the logout endpoint (RP-Initiated
 * Logout 1.0 §2). "The OP MUST validate that it was the issuer of the ID Token": the signature
 * must verify with one of the keyring's published keys and `iss` must be this issuer. An expired
 * token is accepted (§2: "even when the exp time has passed"): the answer says it expired and the
 * caller decides. The header must be `typ: JWT`, as ID tokens are signed here (id-token.ts), so
 * an access token (`at+jwt`) is never taken for a hint.
 *
 * In HMAC mode no ID token is ever issued, so no hint can be ours: every hint is refused.
 */
import { type Algorithm, isJwtError, type JwsHeader, verifyJws } from '@sesame/jwt';
import type { SesameConfig } from '../../config/config.js';
import type { Keyring } from '../keys/keyring.js';

/** What a verified hint tells. */
export interface IdTokenHint {
  /** `sub`: the user the ID token was issued for. */
  subject: string;
  /** The client it was issued to: `aud` when a single value, else `azp` (which `aud` must list). */
  clientId: string;
  /** `sid`, when the ID token had one: the browser session it came from. */
  sessionId?: string;
  /** True when `exp` has passed (accepted all the same). */
  expired: boolean;
}

/**
 * Why a hint was refused: `not_issued` (HMAC mode: this server issues no ID tokens), `invalid`
 * (not a JWS, a bad signature, an algorithm not allowed or `none`, an unknown key), `type` (not
 * `typ: JWT`), `issuer` (another `iss`), `claims` (`sub`, `aud` or `exp` missing or malformed).
 */
export type IdTokenHintFailure = 'not_issued' | 'invalid' | 'type' | 'issuer' | 'claims';

export type IdTokenHintOutcome = { ok: true; hint: IdTokenHint } | { ok: false; reason: IdTokenHintFailure };

export interface IdTokenHints {
  /** Verifies a hint; never throws for a bad token. */
  verify(token: string): IdTokenHintOutcome;
}

const text = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The client of an ID token (Core §2): its single audience, or `azp` among several. */
function clientOf(payload: Record<string, unknown>): string | undefined {
  const { aud, azp } = payload;
  if (text(aud)) return azp === undefined || azp === aud ? aud : undefined;
  if (!Array.isArray(aud) || aud.length === 0 || !aud.every(text)) return undefined;
  if (aud.length === 1 && (azp === undefined || azp === aud[0])) return aud[0];
  return text(azp) && aud.includes(azp) ? azp : undefined;
}

/**
 * The hint verifier over the keyring.
 *
 * @example
 * const hints = createIdTokenHints({ config, keys: keyring, now: Date.now });
 * const outcome = hints.verify(query.id_token_hint);
 * if (!outcome.ok) return errorPage('the id_token_hint was not issued by this server');
 */
export function createIdTokenHints(options: {
  config: SesameConfig;
  keys: Pick<Keyring, 'keySet'>;
  now: () => number;
  /** The algorithms ID tokens are signed with (default: the configured one). */
  algorithms?: readonly Algorithm[];
}): IdTokenHints {
  const { config, keys, now } = options;
  const enabled = config.tokenProfile !== 'classic' && config.algorithm !== 'HS256';
  const algorithms = options.algorithms ?? [config.algorithm as Algorithm];
  const refuse = (reason: IdTokenHintFailure): IdTokenHintOutcome => ({ ok: false, reason });
  return Object.freeze({
    verify(token: string): IdTokenHintOutcome {
      if (!enabled) return refuse('not_issued');
      let header: JwsHeader;
      let payload: Record<string, unknown>;
      try {
        const verified = verifyJws(token, keys.keySet(), { algorithms });
        header = verified.header;
        const parsed: unknown = JSON.parse(verified.payload.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return refuse('invalid');
        payload = parsed as Record<string, unknown>;
      } catch (error) {
        if (isJwtError(error) || error instanceof SyntaxError) return refuse('invalid');
        throw error;
      }
      // RFC 7515 §4.1.9: compared case-insensitively, "application/" optional.
      const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
      if (typ !== 'jwt' && typ !== 'application/jwt') return refuse('type');
      if (payload.iss !== config.issuer) return refuse('issuer');
      const clientId = clientOf(payload);
      const { sub, exp, sid } = payload;
      if (!text(sub) || clientId === undefined) return refuse('claims');
      if (typeof exp !== 'number' || !Number.isFinite(exp)) return refuse('claims');
      if (sid !== undefined && !text(sid)) return refuse('claims');
      const hint: IdTokenHint = { subject: sub, clientId, expired: exp * 1000 <= now() };
      if (sid !== undefined) hint.sessionId = sid;
      return { ok: true, hint };
    },
  });
}
