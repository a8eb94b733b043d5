import type { Algorithm } from './algorithms.js';
import { base64urlEncode } from './base64url.js';
import type { JwtPayload } from './claims.js';
import { JwtError } from './errors.js';
import { type JwsHeader, signingSpec, signSegments } from './jws.js';
import { Key } from './keys.js';
import { type ClaimsToWrite, compileClaimsWriter } from './lib/claims-writer.js';
import { OptionsCache, optionsOf, snapshotOf } from './lib/options-cache.js';

export interface SignOptions extends ClaimsToWrite {
  /** Algorithm; defaults to the one the key was imported for. */
  alg?: Algorithm;
  /** Header `kid`; defaults to the key's kid. */
  kid?: string;
  /** Header `typ` (default "JWT"); null leaves it out. */
  typ?: string | null;
  /** Further header parameters. `alg` cannot be set here. */
  header?: Record<string, unknown>;
}

/** A bound signing function from `createSigner`. */
export type Signer = (payload: JwtPayload) => string;

/**
 * Validates the options and the key once and returns a function that signs claims sets fast.
 *
 * @example
 * const signAccessToken = createSigner({ key, issuer: 'https://id.example', expiresIn: '15m', typ: 'at+jwt' });
 * const token = signAccessToken({ sub: 'u1', scope: 'quiz' });
 */
export function createSigner(options: SignOptions & { key: Key }): Signer {
  if (typeof options !== 'object' || options === null)
    throw new JwtError('ERR_OPTION_INVALID', 'options are required');
  const { key } = options;
  const spec = signingSpec(key, options.alg);
  const header = buildHeader(options, spec.alg, key.kid);
  const headerSegment = base64urlEncode(JSON.stringify(header));
  const writeClaims = compileClaimsWriter(options);
  return (payload) => signSegments(spec, key, `${headerSegment}.${base64urlEncode(writeClaims(payload))}`);
}

function buildHeader(options: SignOptions, alg: Algorithm, keyKid: string | undefined): JwsHeader {
  const header: JwsHeader = { alg };
  const typ = options.typ === undefined ? 'JWT' : options.typ;
  if (typ !== null) {
    if (typeof typ !== 'string') throw new JwtError('ERR_OPTION_INVALID', 'typ must be a string or null');
    header.typ = typ;
  }
  const kid = options.kid ?? keyKid;
  if (kid !== undefined) {
    if (typeof kid !== 'string') throw new JwtError('ERR_OPTION_INVALID', 'kid must be a string');
    header.kid = kid;
  }
  if (options.header !== undefined) {
    if (typeof options.header !== 'object' || options.header === null) {
      throw new JwtError('ERR_OPTION_INVALID', 'header must be an object');
    }
    if ('alg' in options.header)
      throw new JwtError('ERR_OPTION_INVALID', 'set the algorithm with the alg option');
    Object.assign(header, options.header);
  }
  return header;
}

/**
 * Signs a claims set as a compact JWT (RFC 7519), synchronously.
 *
 * @example sign({ sub: 'u1' }, key, { expiresIn: '15m', issuer: 'https://id.example', audience: 'api' })
 */
export function sign(payload: JwtPayload, key: Key, options: SignOptions = {}): string {
  if (!(key instanceof Key) || typeof options !== 'object' || options === null) {
    return createSigner({ ...options, key })(payload); // which refuses them
  }
  // The key and the options are checked once per key and distinct set of option values, then
  // the signer is remembered; the payload is checked and the claims written on every call.
  let signers = signersByKey.get(key);
  const found = signers?.find(options);
  if (found !== undefined) return found(payload);
  const snapshot = snapshotOf(options, SIGN_FIELDS);
  if (snapshot === undefined) return createSigner({ ...options, key })(payload);
  const signer = createSigner({ ...(optionsOf(snapshot, SIGN_FIELDS) as SignOptions), key });
  if (signers === undefined) {
    signers = new OptionsCache<Signer>(SIGN_FIELDS, 8);
    signersByKey.set(key, signers);
  }
  signers.add(snapshot, signer);
  return signer(payload);
}

/** Every option `sign` reads: the typecheck below fails when an option is added but not here. */
const SIGN_FIELDS = [
  'alg',
  'kid',
  'typ',
  'header',
  'expiresIn',
  'notBefore',
  'issuer',
  'audience',
  'subject',
  'jwtId',
  'issuedAt',
  'currentDate',
] as const satisfies readonly (keyof SignOptions)[];
const everySignOption: Exclude<keyof SignOptions, (typeof SIGN_FIELDS)[number]> extends never ? true : never =
  true;
void everySignOption;

/**
 * The one-shot calls' signers, per key (a Key is frozen, and dropped from here when the caller
 * drops it), then per option values (lib/options-cache.ts).
 */
const signersByKey = new WeakMap<Key, OptionsCache<Signer>>();
