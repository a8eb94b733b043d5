import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import {
  algorithmSpec,
  exportJWK,
  generateKeyPair,
  generateSecret,
  type JWK,
  type Key,
  thumbprint,
  thumbprintUri,
} from '@sesame/jwt';
import { badInput, CliError, EXIT, usage } from './errors.js';
import { type EncryptionKeyOptions, generateEncryptionKey } from './generate-encryption-key.js';
import { impliedAlg, importSource, type KeySource, parseAlg, publicJwk, readKeyFile } from './key-files.js';

/** `sesame keys generate`: a new private key (or HMAC secret, as a JWK) on stdout or in a file. */
export async function generateCommand(
  options: {
    alg?: string;
    format?: string;
    kid?: string;
    bits?: string;
    out?: string;
    force?: boolean;
    /** `sig` (default) or `enc`: a key tokens are encrypted to (generate-encryption-key.ts). */
    use?: string;
  } & EncryptionKeyOptions,
): Promise<void> {
  if (options.use !== undefined && options.use !== 'sig' && options.use !== 'enc')
    throw usage('--use must be sig or enc');
  if (options.use === 'enc') return generateEncryptionKeyCommand(options);
  if (options.crv !== undefined || options.enc !== undefined)
    throw usage('--crv and --enc are for encryption keys: add --use enc');
  const alg = parseAlg(options.alg ?? 'ES256');
  const spec = algorithmSpec(alg)!;
  const secret = spec.family === 'HMAC';
  const format = options.format ?? (secret ? 'jwk' : 'pem');
  if (format !== 'pem' && format !== 'jwk') throw usage('--format must be pem or jwk');
  // A secret has no PEM form worth having: the JWK carries its algorithm with it.
  if (secret && format === 'pem') throw usage('HMAC secrets are written as JWK; leave out --format pem');
  if (options.kid !== undefined && format === 'pem') {
    throw usage('a PEM file has no place for a kid; use --format jwk');
  }
  let modulusLength: number | undefined;
  if (options.bits !== undefined) {
    if (spec.family !== 'RSA' && spec.family !== 'RSA-PSS') throw usage('--bits applies to RSA keys only');
    modulusLength = Number(options.bits);
    if (!Number.isInteger(modulusLength) || modulusLength < 2048 || modulusLength > 16384) {
      throw usage('--bits must be a whole number from 2048 to 16384');
    }
  }
  const key = secret ? generateSecret(alg) : generateKeyPair(alg, { modulusLength }).privateKey;
  let text: string;
  if (format === 'jwk') {
    const jwk = exportJWK(key, { private: true });
    jwk.kid = options.kid ?? thumbprint(key);
    text = `${JSON.stringify({ ...jwk, use: 'sig' }, null, 2)}\n`;
  } else {
    text = key.keyObject.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
  if (options.out === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeKeyFile(options.out, text, options.force === true);
  const what = secret ? `${alg} secret` : `${alg} private key`;
  const shape = format === 'jwk' ? 'JWK' : 'PEM, PKCS#8';
  process.stdout.write(`wrote ${what} to ${options.out} (${shape}, readable by its owner only)\n`);
}

/**
 * `keys generate --use enc`: the private key to stdout, or to `--out` with the public JWK (use enc)
 * on stdout and the note on stderr, so `> rs-key.jwk` captures the key a sender encrypts to.
 */
async function generateEncryptionKeyCommand(
  options: EncryptionKeyOptions & { out?: string; force?: boolean },
): Promise<void> {
  const made = generateEncryptionKey(options);
  if (options.out === undefined) {
    process.stdout.write(made.privateText);
    return;
  }
  await writeKeyFile(options.out, made.privateText, options.force === true);
  const what = made.secret ? `${made.alg} secret` : `${made.alg} private key`;
  const shape = made.format === 'jwk' ? 'JWK' : 'PEM, PKCS#8';
  process.stderr.write(`wrote ${what} to ${options.out} (${shape}, readable by its owner only)\n`);
  if (made.publicJwk !== undefined) process.stdout.write(`${JSON.stringify(made.publicJwk, null, 2)}\n`);
}

/**
 * Writes a new key file with mode 0600: never over an existing file, unless `force`; then the key
 * goes to a new 0600 file first, renamed over the old one, so the old file's mode is not kept.
 */
async function writeKeyFile(path: string, text: string, force: boolean): Promise<void> {
  const target = force ? `${path}.${randomBytes(6).toString('hex')}.tmp` : path;
  try {
    await writeFile(target, text, { mode: 0o600, flag: 'wx' });
    if (force) await rename(target, path);
  } catch (error) {
    if (force) await rm(target, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new CliError('ERR_FILE_EXISTS', `${path} exists; pass --force to overwrite it`, EXIT.input);
    throw badInput(`cannot write ${path} (${code})`);
  }
}

/**
 * Imports any key file without knowing its algorithm, only to read its public members: an RSA
 * key's members are the same for RS* and PS*, so RS256 stands in for "some RSA algorithm".
 */
function importAnyKey(source: KeySource, alg?: string): Key {
  const chosen = alg !== undefined ? parseAlg(alg) : impliedAlg(source);
  if (chosen !== undefined) return importSource(source, chosen);
  if (source.kind === 'jwk' && source.jwk.kty === 'oct') return importSource(source, 'HS256');
  return importSource(source, 'RS256');
}

/** `sesame keys thumbprint FILE`: the RFC 7638 thumbprint (or RFC 9278 URI) of the key's public part. */
export async function thumbprintCommand(
  file: string,
  options: { hash: string; uri?: boolean },
): Promise<void> {
  const hash = options.hash;
  if (hash !== 'sha256' && hash !== 'sha384' && hash !== 'sha512') {
    throw usage('--hash must be sha256, sha384 or sha512');
  }
  const source = await readKeyFile(file);
  if (source.kind === 'jwks') throw badInput(`${file} is a key set; give one key`);
  // A secret's thumbprint hashes the secret itself (RFC 7638 §3.2); it is a hash, not the secret.
  const key = importAnyKey(source);
  process.stdout.write(`${options.uri ? thumbprintUri(key, hash) : thumbprint(key, hash)}\n`);
}

/** `sesame keys jwks FILE…`: the public JWKS of the keys, each with a kid (its thumbprint by default). */
export async function jwksCommand(files: string[], options: { alg?: string[] }): Promise<void> {
  const keys: JWK[] = [];
  const algs = [...(options.alg ?? [])];
  for (const file of files) {
    const source = await readKeyFile(file);
    const members: KeySource[] =
      source.kind === 'jwks' ? source.jwks.keys.map((jwk) => ({ kind: 'jwk', jwk, path: file })) : [source];
    for (const member of members) {
      if (member.kind === 'jwk' && member.jwk.kty === 'oct') {
        throw badInput(`${file} holds an HMAC secret; secrets are never published in a JWKS`);
      }
      const implied = impliedAlg(member);
      const alg = implied ?? algs.shift();
      const key = importAnyKey(member, alg);
      const jwk = publicJwk(exportJWK(key));
      if (alg === undefined) delete jwk.alg; // unknown: a verifier's allow-list decides
      jwk.kid = key.kid ?? thumbprint(key);
      if (keys.some((other) => other.kid === jwk.kid)) throw badInput(`two keys have the kid ${jwk.kid}`);
      keys.push({ ...jwk, use: 'sig' });
    }
  }
  process.stdout.write(`${JSON.stringify({ keys }, null, 2)}\n`);
}
