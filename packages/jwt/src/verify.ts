import { base64urlDecode } from './base64url.js';
import { type ClaimOptions, type ClaimsCheck, compileClaims, type JwtPayload } from './claims.js';
import { JwtError } from './errors.js';
import {
  type JwsHeader,
  type ParsedJws,
  type ParseOptions,
  parseCompact,
  parseOptions,
  tryCandidates,
  type VerifyJwsOptions,
  verifyWithKeys,
} from './jws.js';
import type { KeySet } from './key-sets.js';
import { Key } from './keys.js';
import { parseJsonObject } from './lib/json.js';
import { OptionsCache, optionsOf, snapshotOf } from './lib/options-cache.js';

export interface VerifyOptions extends VerifyJwsOptions, ClaimOptions {}

/** What a successful verification returns. */
export interface VerifyResult<P extends JwtPayload = JwtPayload> {
  header: JwsHeader;
  payload: P;
  /** The key that verified the signature. */
  key: Key;
}

/** A bound verifying function from `createVerifier`. */
export type Verifier = <P extends JwtPayload = JwtPayload>(token: string) => VerifyResult<P>;

/** A key, a key set, or a function finding the keys for a header, possibly asynchronously. */
export type KeyResolver =
  | Key
  | KeySet
  | { select(header: JwsHeader): Promise<readonly Key[]> | readonly Key[] }
  | ((header: JwsHeader) => Promise<Key | readonly Key[]> | Key | readonly Key[]);

/**
 * Validates the options and key once and returns a function that verifies tokens fast: on the hot
 * path it does no option checks and no key parsing, and a header seen before is not decoded again.
 *
 * @example
 * const verifyAccessToken = createVerifier({ key, algorithms: ['ES256'], issuer, audience: 'api', typ: 'at+jwt' });
 * const { payload } = verifyAccessToken(token);
 */
export function createVerifier(options: VerifyOptions & { key: Key | KeySet }): Verifier {
  const compiled = compileVerify(options);
  const { key } = options;
  assertKeyOrKeySet(key);
  return <P extends JwtPayload>(token: string) => verifyCompiled<P>(compiled, key, token);
}

/** Every option `verify` reads: the typecheck below fails when an option is added but not here. */
const VERIFY_FIELDS = [
  'algorithms',
  'maxTokenSize',
  'crit',
  'issuer',
  'audience',
  'subject',
  'typ',
  'clockTolerance',
  'maxTokenAge',
  'requiredClaims',
  'currentDate',
] as const satisfies readonly (keyof VerifyOptions)[];
const everyVerifyOption: Exclude<keyof VerifyOptions, (typeof VERIFY_FIELDS)[number]> extends never
  ? true
  : never = true;
void everyVerifyOption;

/** Options validated once, for any key. */
interface CompiledVerify {
  parse: ParseOptions;
  checkClaims: ClaimsCheck;
  /** Decoded headers: the header of one issuer repeats in every token. */
  headers: Map<string, JwsHeader>;
}

function compileVerify(options: VerifyOptions): CompiledVerify {
  return { parse: parseOptions(options), checkClaims: compileClaims(options), headers: new Map() };
}

/** The one-shot calls' compiled options, matched by value (lib/options-cache.ts). */
const compiledOptions = new OptionsCache<CompiledVerify>(VERIFY_FIELDS, 16);

function compiledFor(options: VerifyOptions): CompiledVerify {
  if (typeof options !== 'object' || options === null) return compileVerify(options);
  const found = compiledOptions.find(options);
  if (found !== undefined) return found;
  const snapshot = snapshotOf(options, VERIFY_FIELDS);
  if (snapshot === undefined) return compileVerify(options);
  const compiled = compileVerify(optionsOf(snapshot, VERIFY_FIELDS) as unknown as VerifyOptions);
  compiledOptions.add(snapshot, compiled);
  return compiled;
}

function assertKeyOrKeySet(key: Key | KeySet): void {
  if (!(key instanceof Key) && typeof (key as KeySet)?.select !== 'function') {
    throw new JwtError('ERR_OPTION_INVALID', 'a Key or a key set is required');
  }
}

function verifyCompiled<P extends JwtPayload>(
  compiled: CompiledVerify,
  key: Key | KeySet,
  token: string,
): VerifyResult<P> {
  const parsed = parseCompact(token, compiled.parse, compiled.headers);
  const used = verifyWithKeys(parsed, key);
  const payload = decodePayload(parsed);
  compiled.checkClaims(payload, parsed.header);
  return { header: parsed.header, payload: payload as P, key: used };
}

/**
 * Verifies a JWT synchronously and returns its header and claims. `algorithms` is required: the
 * token's own `alg` is only accepted when it is in the list and belongs to the key's family.
 *
 * @example
 * const { payload } = verify(token, publicKey, { algorithms: ['ES256'], issuer: 'https://id.example', audience: 'api' });
 */
export function verify<P extends JwtPayload = JwtPayload>(
  token: string,
  key: Key | KeySet,
  options: VerifyOptions,
): VerifyResult<P> {
  // The options are checked once per distinct set of values, then remembered; the key, the
  // token and every claim are checked on every call, exactly as by a verifier from createVerifier.
  const compiled = compiledFor(options);
  assertKeyOrKeySet(key);
  return verifyCompiled<P>(compiled, key, token);
}

/**
 * Verifies a JWT whose keys are found asynchronously, such as a remote key set.
 *
 * @example
 * const jwks = createRemoteKeySet(new URL('https://id.example/.well-known/jwks.json'));
 * const { payload } = await verifyAsync(token, jwks, { algorithms: ['ES256'], issuer, audience });
 */
export async function verifyAsync<P extends JwtPayload = JwtPayload>(
  token: string,
  resolver: KeyResolver,
  options: VerifyOptions,
): Promise<VerifyResult<P>> {
  const { parse, checkClaims, headers } = compiledFor(options);
  const parsed = parseCompact(token, parse, headers);
  let used: Key;
  if (resolver instanceof Key) used = verifyWithKeys(parsed, resolver);
  else {
    const found =
      typeof resolver === 'function'
        ? await resolver(parsed.header)
        : typeof resolver?.select === 'function'
          ? await resolver.select(parsed.header)
          : undefined;
    if (found === undefined) throw new JwtError('ERR_OPTION_INVALID', 'a key resolver is required');
    const candidates = found instanceof Key ? [found] : found;
    if (!Array.isArray(candidates) || candidates.some((candidate) => !(candidate instanceof Key))) {
      throw new JwtError('ERR_OPTION_INVALID', 'the resolver must return Keys');
    }
    used = tryCandidates(parsed, candidates);
  }
  const payload = decodePayload(parsed);
  checkClaims(payload, parsed.header);
  return { header: parsed.header, payload: payload as P, key: used };
}

/** @internal */
export function decodePayload(parsed: Pick<ParsedJws, 'payloadSegment'>): JwtPayload {
  const payload = parseJsonObject(base64urlDecode(parsed.payloadSegment, 'the payload'));
  if (payload === undefined) throw new JwtError('ERR_JWT_INVALID', 'the payload is not a JSON object');
  return payload;
}
