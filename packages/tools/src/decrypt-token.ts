import { isUtf8 } from 'node:buffer';
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  createLocalKeySet,
  type DecryptionKeySet,
  decrypt,
  KEY_MANAGEMENT_ALGORITHMS,
  type Key,
  type KeyManagementAlgorithm,
} from '@sesame/jwt';
import { badInput, usage } from './errors.js';
import { readToken } from './input.js';
import { chooseKeyManagementAlg, importEncryptionKey, parseEnc, parseKeyManagementAlg } from './jwe-keys.js';
import { readKeyFile } from './key-files.js';

export interface DecryptCommandOptions {
  key?: string;
  /** Allowed key management algorithms (default: the key's; every one for a key set). */
  alg?: string[];
  /** Allowed content encryption algorithms (default: all six). */
  enc?: string[];
  json?: boolean;
}

/**
 * `sesame token decrypt`: decrypts a compact JWE with a private key file, an `oct` JWK, or a JWKS of
 * private keys (selected by kid, alg and curve), and prints the plaintext — or with `--json` the
 * protected header and the plaintext. A nested JWT comes out as its signed token, ready for
 * `sesame token verify -`. RSA1_5, PBES2 and zip are refused.
 */
export async function decryptCommand(
  tokenArgument: string | undefined,
  options: DecryptCommandOptions,
): Promise<void> {
  if (options.key === undefined) throw usage('give --key FILE (a private key, a secret JWK or a JWKS)');
  const token = await readToken(tokenArgument);
  const source = await readKeyFile(options.key);
  const requested = options.alg?.map(parseKeyManagementAlg);
  let key: Key<KeyManagementAlgorithm> | DecryptionKeySet;
  let algs: readonly KeyManagementAlgorithm[];
  if (source.kind === 'jwks') {
    key = createLocalKeySet(source.jwks, { use: 'enc' });
    algs = requested ?? KEY_MANAGEMENT_ALGORITHMS;
  } else {
    const single = importEncryptionKey(source, chooseKeyManagementAlg(source, requested?.[0]));
    if (single.type === 'public') {
      throw badInput(`the key file ${options.key} holds a public key; decrypting needs the private key`);
    }
    key = single;
    algs = requested ?? [single.alg];
  }
  const { header, plaintext } = decrypt(token, key, {
    keyManagementAlgorithms: algs,
    contentEncryptionAlgorithms: options.enc?.map(parseEnc) ?? CONTENT_ENCRYPTION_ALGORITHMS,
  });
  if (options.json) {
    const body = isUtf8(plaintext)
      ? { header, plaintext: plaintext.toString('utf8') }
      : { header, plaintextBase64url: plaintext.toString('base64url') };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return;
  }
  process.stdout.write(plaintext);
  process.stdout.write('\n');
}
