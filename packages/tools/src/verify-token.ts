import {
  ALGORITHMS,
  type Algorithm,
  algorithmSpec,
  createRemoteKeySet,
  decode,
  importKey,
  type KeyResolver,
  type LocalKeySet,
  type VerifyOptions,
  verifyAsync,
} from '@sesame/jwt';
import { discoverJwksUri, parseHttpUrl } from './discovery.js';
import { usage } from './errors.js';
import { readToken, secretFromEnv } from './input.js';
import { chooseAlg, importSource, keySetFromSource, parseAlg, publicPart, readKeyFile } from './key-files.js';

export interface VerifyCommandOptions {
  key?: string;
  jwks?: string;
  issuer?: string;
  secretEnv?: string;
  alg?: string[];
  aud?: string[];
  iss?: string[];
  sub?: string;
  typ?: string;
  clockTolerance?: string;
  maxAge?: string;
  require?: string[];
  allowHttp?: boolean;
}

/** Key sets only ever hold public keys here, so their default allow-list is the asymmetric one. */
const ASYMMETRIC = ALGORITHMS.filter((alg) => algorithmSpec(alg)!.family !== 'HMAC');

/**
 * `sesame token verify`: the signature with a key file, a secret, a JWKS URL or an issuer's
 * metadata, then the claims. Success prints the claims as JSON; any failure is one line with the
 * @sesame/jwt error code (exit 1 when the token is refused, 3 when it is malformed).
 */
export async function verifyCommand(
  tokenArgument: string | undefined,
  options: VerifyCommandOptions,
): Promise<void> {
  const sources = [options.key, options.jwks, options.issuer, options.secretEnv].filter(
    (s) => s !== undefined,
  );
  if (sources.length !== 1) throw usage('give exactly one of --key, --jwks, --issuer or --secret-env');
  const token = await readToken(tokenArgument);
  const requested = options.alg?.map(parseAlg);
  const claimOptions: Omit<VerifyOptions, 'algorithms'> = {};
  if (options.aud) claimOptions.audience = options.aud;
  if (options.iss) claimOptions.issuer = options.iss;
  if (options.sub !== undefined) claimOptions.subject = options.sub;
  if (options.typ !== undefined) claimOptions.typ = options.typ;
  if (options.clockTolerance !== undefined) claimOptions.clockTolerance = options.clockTolerance;
  if (options.maxAge !== undefined) claimOptions.maxTokenAge = options.maxAge;
  if (options.require) claimOptions.requiredClaims = options.require;

  let resolver: KeyResolver;
  let algorithms: readonly Algorithm[];
  if (options.jwks !== undefined || options.issuer !== undefined) {
    let url: URL;
    if (options.issuer !== undefined) {
      parseHttpUrl(options.issuer, '--issuer', options.allowHttp === true);
      url = await discoverJwksUri(options.issuer, options.allowHttp === true);
      // RFC 9068 §4: an access token's iss must be the issuer its keys were discovered from.
      claimOptions.issuer ??= options.issuer;
    } else {
      url = parseHttpUrl(options.jwks!, '--jwks', options.allowHttp === true);
    }
    resolver = fetchedOnce(url);
    algorithms = requested ?? ASYMMETRIC;
  } else if (options.secretEnv !== undefined) {
    const alg = pickAlg(token, requested, 'HS256');
    resolver = importKey(secretFromEnv(options.secretEnv), alg);
    algorithms = requested ?? [alg];
  } else {
    const source = await readKeyFile(options.key!);
    if (source.kind === 'jwks') {
      resolver = keySetFromSource(source);
      algorithms = requested ?? ASYMMETRIC;
    } else {
      const alg = requested ? pickAlg(token, requested, requested[0]!) : chooseAlg(source, undefined);
      // A private key file verifies with its public half: the same file serves sign and verify.
      resolver = publicPart(importSource(source, alg));
      algorithms = requested ?? [alg];
    }
  }
  const { payload } = await verifyAsync(token, resolver, { ...claimOptions, algorithms });
  process.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
  // RFC 8725 §3.9: a token for another service must be refused by this one; without --aud nothing
  // was checked, and a valid signature alone reads like "this token is for me".
  if (options.aud === undefined && payload.aud !== undefined) {
    const audience = JSON.stringify(payload.aud).slice(0, 200);
    process.stderr.write(
      `warning aud-not-checked: the token's audience is ${audience}; without --aud any audience was accepted\n`,
    );
  }
}

/**
 * The key set at `url`, read once, when the token's header asks for a key (so a malformed token is
 * reported as such before any fetch). A one-shot command has no use for the remote set's refetch
 * on an unknown kid: the set it would read a second later is the one it has just read, so a kid
 * it does not hold is refused from that read (ERR_JWKS_NO_MATCH). The remote set's fetch rules
 * (no redirects, a 200 JSON key set, a size cap, a timeout) still apply.
 */
function fetchedOnce(url: URL): KeyResolver {
  const remote = createRemoteKeySet(url);
  let loaded: Promise<LocalKeySet> | undefined;
  return {
    async select(header) {
      loaded ??= remote.reload().then(() => remote.current!);
      return (await loaded).select(header);
    },
  };
}

/**
 * The algorithm to import a single key for: the token's own alg when the allow-list contains it,
 * else the first allowed one (verification then refuses the token with ERR_JOSE_ALG_NOT_ALLOWED).
 */
function pickAlg(token: string, requested: readonly Algorithm[] | undefined, fallback: Algorithm): Algorithm {
  let alg: unknown;
  try {
    alg = decode(token).header.alg;
  } catch {
    return fallback; // malformed: verifyAsync reports it with its own code
  }
  if (requested === undefined) return fallback;
  return requested.includes(alg as Algorithm) ? (alg as Algorithm) : fallback;
}
