import { importKey, type Key, type SignOptions, sign } from '@sesame/jwt';
import { badInput, usage } from './errors.js';
import { parseJsonObject, readStdin, secretFromEnv } from './input.js';
import { chooseAlg, importSource, parseAlg, readKeyFile } from './key-files.js';
import { readLeakedList, secretWarning } from './weak-secrets.js';

export interface SignCommandOptions {
  key?: string;
  secretEnv?: string;
  alg?: string;
  kid?: string;
  typ?: string;
  sub?: string;
  iss?: string;
  aud?: string[];
  exp?: string;
  nbf?: string;
  jti?: string;
  iat?: boolean;
  claim?: string[];
  header?: string[];
  weakSecrets?: string;
}

/**
 * `sesame token sign`: a JWT from a JSON payload (argument or stdin) plus claims from options,
 * signed with a private key file or a secret from the environment. The token goes to stdout alone,
 * so `TOKEN=$(sesame token sign …)` works.
 */
export async function signCommand(
  payloadArgument: string | undefined,
  options: SignCommandOptions,
): Promise<void> {
  const key = await signingKey(options);
  const payload =
    payloadArgument === undefined
      ? {}
      : parseJsonObject(
          payloadArgument === '-' ? await readStdin('a JSON payload') : payloadArgument,
          'the payload',
        );
  Object.assign(payload, assignments(options.claim ?? [], '--claim'));
  const signOptions: SignOptions = {
    alg: key.alg,
    header: assignments(options.header ?? [], '--header'),
  };
  if (options.kid !== undefined) signOptions.kid = options.kid;
  if (options.typ !== undefined) signOptions.typ = options.typ === '' ? null : options.typ;
  if (options.sub !== undefined) signOptions.subject = options.sub;
  if (options.iss !== undefined) signOptions.issuer = options.iss;
  if (options.aud !== undefined)
    signOptions.audience = options.aud.length === 1 ? options.aud[0]! : options.aud;
  if (options.exp !== undefined) signOptions.expiresIn = options.exp;
  if (options.nbf !== undefined) signOptions.notBefore = options.nbf;
  if (options.jti !== undefined) signOptions.jwtId = options.jti;
  if (options.iat === false) signOptions.issuedAt = false;
  process.stdout.write(`${sign(payload, key, signOptions)}\n`);
}

async function signingKey(options: SignCommandOptions): Promise<Key> {
  if ((options.key === undefined) === (options.secretEnv === undefined)) {
    throw usage('give exactly one of --key FILE or --secret-env NAME');
  }
  if (options.secretEnv !== undefined) {
    const alg = parseAlg(options.alg ?? 'HS256');
    const secret = secretFromEnv(options.secretEnv);
    // Refuses a secret shorter than the hash first: that is one error, not a warning and an error.
    const key = importKey(secret, alg, options.kid === undefined ? {} : { kid: options.kid });
    // Signing goes ahead with a listed secret that is long enough: the warning is the point.
    const weak = secretWarning(secret, alg, await readLeakedList(options.weakSecrets));
    if (weak) process.stderr.write(`warning ${weak.code}: ${weak.message}\n`);
    return key;
  }
  const source = await readKeyFile(options.key!);
  const key = importSource(source, chooseAlg(source, options.alg));
  if (key.type === 'public')
    throw badInput(`the key file ${options.key} holds a public key; signing needs the private key`);
  return key;
}

/**
 * `name=value` pairs into an object. A value that parses as JSON is taken as JSON (numbers,
 * booleans, lists: `--claim admin=true --claim roles='["a","b"]'`); anything else is a string.
 */
export function assignments(pairs: readonly string[], option: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usage(`${option} expects name=value`);
    const name = pair.slice(0, at);
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // not JSON: a plain string
    }
    out[name] = value;
  }
  return out;
}
