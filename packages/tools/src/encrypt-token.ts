import { type EncryptOptions, encrypt } from '@sesame/jwt';
import { badInput, usage } from './errors.js';
import { readStdin } from './input.js';
import { chooseKeyManagementAlg, importEncryptionKey, parseEnc } from './jwe-keys.js';
import { readKeyFile } from './key-files.js';

export interface EncryptCommandOptions {
  key?: string;
  alg?: string;
  enc?: string;
  kid?: string;
  cty?: string;
  typ?: string;
}

/**
 * `sesame token encrypt`: a compact JWE of the plaintext (argument, or stdin with "-") for the
 * recipient's key file — a public (or private) RSA or EC/X25519 key, or an `oct` JWK for A*KW,
 * A*GCMKW and dir. `--cty JWT` marks a signed token being wrapped (a nested JWT). The JWE goes to
 * stdout alone, so `sesame token sign … | sesame token encrypt - --key enc.pem --alg RSA-OAEP-256 --cty JWT` works.
 */
export async function encryptCommand(
  plaintextArgument: string | undefined,
  options: EncryptCommandOptions,
): Promise<void> {
  if (options.key === undefined) throw usage('give --key FILE (the recipient key)');
  if (plaintextArgument === undefined) throw usage('give the plaintext, or "-" to read it from stdin');
  // A pipe's last newline (`sesame token sign` ends its token with one) is not part of the plaintext.
  const plaintext =
    plaintextArgument === '-' ? (await readStdin('the plaintext')).replace(/\r?\n$/, '') : plaintextArgument;
  if (plaintext.length === 0) throw badInput('the plaintext is empty');
  const source = await readKeyFile(options.key);
  const alg = chooseKeyManagementAlg(source, options.alg);
  const key = importEncryptionKey(source, alg);
  const encryptOptions: EncryptOptions = { alg, enc: parseEnc(options.enc ?? 'A256GCM') };
  if (options.kid !== undefined) encryptOptions.kid = options.kid;
  if (options.cty !== undefined) encryptOptions.cty = options.cty;
  if (options.typ !== undefined) encryptOptions.typ = options.typ;
  process.stdout.write(`${encrypt(plaintext, key, encryptOptions)}\n`);
}
