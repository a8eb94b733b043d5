/**
 * @sesame/tools — the token and key tools of `sesame token` and `sesame keys`, and the analysis the
 * /debugger page shows, on @sesame/jwt and @sesame/protocol: no server, no database, no native
 * dependency. Each command function reads its input (argument, stdin, files, environment), writes
 * its result to stdout and throws a CliError (or a @sesame/jwt error) that `describeError` turns
 * into one line and an exit code.
 *
 * @example
 * import { decodeCommand, describeError } from '@sesame/tools';
 * try {
 *   await decodeCommand(token, { json: true }); // the header, claims, times and warnings on stdout
 * } catch (error) {
 *   const { code, message, exitCode } = describeError(error);
 *   console.error(`error ${code}: ${message}`);
 *   process.exitCode = exitCode;
 * }
 */

/**
 * What a token says in human words: its claims table (times as dates and "in 5 minutes") and its
 * warnings (alg none, no exp, expired, a weak HMAC secret, ...). Pure functions with the clock
 * passed in; also compiled for the browser (the /debugger page), as `@sesame/tools/analysis`.
 *
 * @example
 * tokenWarnings({ alg: 'none' }, { sub: 'u1' }, Math.floor(Date.now() / 1000)).map((w) => w.code);
 * // ['alg-none', 'no-exp']
 */
export {
  type ClaimRow,
  claimRows,
  isoDate,
  KNOWN_ALGORITHMS,
  REGISTERED_CLAIMS,
  relativeTime,
  type TokenWarning,
  tokenWarnings,
  weakSecretReason,
} from './analysis.js';
/**
 * `sesame token decode|sign|verify`: look inside a token (verifying nothing but an HMAC signature
 * when given the secret), sign one from a key file or a secret, verify one against a key file, a
 * JWKS URL or an issuer's metadata.
 *
 * @example
 * await signCommand('{"sub":"u1"}', { key: 'private.pem', aud: ['api'], exp: '15m' }); // the token on stdout
 * await verifyCommand(token, { key: 'private.pem', aud: ['api'] });                     // the claims on stdout
 */
export { type DecodeOptions, decodeCommand } from './decode-token.js';
/**
 * `sesame token encrypt|decrypt`: a compact JWE for a recipient's key file, and its plaintext back
 * with a private key, a secret JWK or a JWKS of private keys.
 *
 * @example
 * await encryptCommand('hello', { key: 'recipient.jwk', enc: 'A256GCM' }); // the JWE on stdout
 * await decryptCommand(jwe, { key: 'private.jwk' });                        // "hello" on stdout
 */
export { type DecryptCommandOptions, decryptCommand } from './decrypt-token.js';
export { type DpopCommandOptions, dpopCommand } from './dpop-proof.js';
export { type EncryptCommandOptions, encryptCommand } from './encrypt-token.js';
/**
 * The errors and exit codes every command shares (docs/cli.md lists the codes).
 *
 * @example
 * throw usage('give --secret or --secret-env, not both'); // ERR_CLI_USAGE, exit 2
 */
export {
  badInput,
  CliError,
  describeError,
  EXIT,
  EXIT_HELP,
  refused,
  unavailable,
  usage,
} from './errors.js';
/**
 * Collectors for repeatable command-line options: `--aud a --aud b`, and `--alg ES256,RS256`.
 *
 * @example program.option('--aud <audience>', 'expected audience (repeatable)', collect);
 */
export { collect, collectList } from './input.js';
/**
 * `sesame keys generate|thumbprint|jwks`: a new private key (PEM or JWK) or HMAC secret, the RFC 7638
 * thumbprint of a key, the public JWKS of key files.
 *
 * @example
 * await generateCommand({ alg: 'ES256', out: 'private.pem' });
 * await jwksCommand(['private.pem'], {}); // {"keys":[{ "kty": "EC", ..., "kid": "<thumbprint>" }]}
 */
export { generateCommand, jwksCommand, thumbprintCommand } from './key-commands.js';
export { type SignCommandOptions, signCommand } from './sign-token.js';
export { type VerifyCommandOptions, verifyCommand } from './verify-token.js';

/**
 * Leaked-secret lists: one secret per line, as in the weak-secrets list of the shared test vectors.
 *
 * @example if (isListed(await readFile(DEFAULT_WEAK_SECRETS, 'utf8'), secret)) console.warn('leaked secret');
 */
export { DEFAULT_WEAK_SECRETS, isListed } from './weak-secrets.js';
