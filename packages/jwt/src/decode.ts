import type { JwtPayload } from './claims.js';
import { JwtError } from './errors.js';
import { DEFAULT_MAX_TOKEN_SIZE, decodeHeader, type JwsHeader } from './jws.js';
import { decodePayload } from './verify.js';

/**
 * Decodes a JWT's header and claims WITHOUT verifying anything: not the signature, not the
 * algorithm, not a single claim. Use it to look inside a token (a debugger, a log line), never to
 * decide whether to trust it — that is `verify`.
 *
 * @example decode(token).payload.sub
 */
export function decode<P extends JwtPayload = JwtPayload>(
  token: string,
  options: { maxTokenSize?: number } = {},
): { header: JwsHeader; payload: P; signature: string } {
  if (typeof token !== 'string') throw new JwtError('ERR_JWS_INVALID', 'the token must be a string');
  if (token.length > (options.maxTokenSize ?? DEFAULT_MAX_TOKEN_SIZE)) {
    throw new JwtError('ERR_JWT_TOO_LARGE', 'the token is too large');
  }
  const parts = token.split('.');
  if (parts.length !== 3)
    throw new JwtError('ERR_JWS_INVALID', 'the token is not a compact JWS (three parts)');
  const header = decodeHeaderLoosely(parts[0]!);
  return { header, payload: decodePayload({ payloadSegment: parts[1]! }) as P, signature: parts[2]! };
}

/** Decoding must show what a token says even when a verifier would refuse its `crit` or `b64`. */
function decodeHeaderLoosely(segment: string): JwsHeader {
  try {
    return decodeHeader(segment, []);
  } catch (error) {
    if (error instanceof JwtError && error.code === 'ERR_JOSE_NOT_SUPPORTED') {
      return decodeHeaderUnchecked(segment);
    }
    throw error;
  }
}

function decodeHeaderUnchecked(segment: string): JwsHeader {
  return decodePayload({ payloadSegment: segment }) as unknown as JwsHeader;
}
