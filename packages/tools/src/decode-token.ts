import { type Algorithm, algorithmSpec, decode, importKey, isJwtError, verifyJws } from '@sesame/jwt';
import { claimRows, type TokenWarning, tokenWarnings } from './analysis.js';
import { badInput, usage } from './errors.js';
import { readToken, secretFromEnv } from './input.js';
import { colourEnabled, palette, renderDecoded } from './render.js';
import { readLeakedList, secretWarning } from './weak-secrets.js';

export interface DecodeOptions {
  json?: boolean;
  secret?: string;
  secretEnv?: string;
  weakSecrets?: string;
}

/**
 * `sesame token decode`: shows what a token says, verifying nothing but the HMAC signature when a
 * secret is given. Malformed tokens are input errors (exit 3); warnings do not change the exit code.
 */
export async function decodeCommand(
  tokenArgument: string | undefined,
  options: DecodeOptions,
): Promise<void> {
  const token = await readToken(tokenArgument);
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(token);
  } catch (error) {
    // The library's message says what is wrong with the token without quoting it.
    if (isJwtError(error)) throw badInput(`malformed token (${error.code}): ${error.message}`);
    throw error;
  }
  const header = decoded.header as Record<string, unknown>;
  const payload = decoded.payload as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const warnings: TokenWarning[] = tokenWarnings(header, payload, now);

  if (options.secret !== undefined && options.secretEnv !== undefined) {
    throw usage('give --secret or --secret-env, not both');
  }
  const secret = options.secretEnv !== undefined ? secretFromEnv(options.secretEnv) : options.secret;
  let secretCheck: string | undefined;
  if (secret !== undefined) {
    const alg = String(header.alg);
    if (algorithmSpec(alg)?.family !== 'HMAC')
      throw usage('--secret applies to HS256/HS384/HS512 tokens only');
    const weak = secretWarning(secret, alg, await readLeakedList(options.weakSecrets));
    if (weak) warnings.push(weak);
    secretCheck = checkHmac(token, secret, alg as Algorithm);
  } else if (options.weakSecrets !== undefined) {
    throw usage('--weak-secrets needs --secret or --secret-env');
  }

  if (options.json) {
    const times = Object.fromEntries(
      claimRows(payload, now).flatMap((row) => (row.time ? [[row.name, row.time]] : [])),
    );
    const out = { header, payload, signature: decoded.signature, times, warnings, secretCheck };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const view = {
    header,
    payload,
    signature: decoded.signature,
    claims: claimRows(payload, now),
    warnings,
    secretCheck,
  };
  process.stdout.write(renderDecoded(view, palette(colourEnabled())));
}

/**
 * Checks only the signature with the secret (claims are decode's business, shown as warnings). A
 * secret too short for the hash cannot be imported: that is reported, not computed around.
 */
function checkHmac(token: string, secret: string, alg: Algorithm): string {
  let key: ReturnType<typeof importKey>;
  try {
    key = importKey(secret, alg);
  } catch {
    return 'not checked: the secret is too short for this algorithm';
  }
  try {
    verifyJws(token, key, { algorithms: [alg], crit: critNames(token) });
    return 'valid with the given secret';
  } catch (error) {
    return isJwtError(error, 'ERR_JWS_SIGNATURE') ? 'INVALID with the given secret' : 'not checked';
  }
}

/** Decode shows tokens with unknown crit; the signature check must not stop at them either. */
function critNames(token: string): string[] {
  const crit = decode(token).header.crit;
  return Array.isArray(crit) ? crit.filter((name): name is string => typeof name === 'string') : [];
}
