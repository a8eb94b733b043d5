import { randomBytes } from 'node:crypto';
import { exportJWK, type Key, sign, thumbprint } from '@sesame/jwt';
import { accessTokenHash, DPOP_ALGORITHMS, normaliseHtu } from '@sesame/protocol';
import { badInput, usage } from './errors.js';
import { readStdin } from './input.js';
import { chooseAlg, importSource, readKeyFile } from './key-files.js';

export interface DpopCommandOptions {
  key?: string;
  method?: string;
  url?: string;
  accessToken?: string;
  accessTokenStdin?: boolean;
  nonce?: string;
  alg?: string;
  jkt?: boolean;
}

/** RFC 9110 §5.6.2 `token`: what an HTTP method may be. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `sesame token dpop`: a DPoP proof (RFC 9449 §4.2) for one request, printed alone on stdout so
 * `curl -H "DPoP: $(sesame token dpop …)"` works. With `--jkt`, the key's RFC 7638 thumbprint for
 * the authorization request's `dpop_jkt` (§10) instead. The access token is hashed into `ath`,
 * never printed or named in an error.
 */
export async function dpopCommand(options: DpopCommandOptions): Promise<void> {
  const key = await proofKey(options);
  if (options.jkt) {
    process.stdout.write(`${thumbprint(key)}\n`);
    return;
  }
  if (options.method === undefined) throw usage('give --method, the HTTP method of the request');
  if (!METHOD.test(options.method)) throw usage('--method is not an HTTP method');
  if (options.url === undefined) throw usage('give --url, the URL of the request');
  // §4.2 htu: "without query and fragment parts". The URL is not echoed: its query may hold secrets.
  const htu = normaliseHtu(options.url);
  if (htu === undefined) throw usage('--url must be an absolute http(s) URL without user or password');
  const accessToken = await readAccessToken(options);

  const claims: Record<string, unknown> = {
    // §4.2: "a unique identifier"; 128 random bits.
    jti: randomBytes(16).toString('base64url'),
    htm: options.method,
    htu,
  };
  if (accessToken !== undefined) claims.ath = accessTokenHash(accessToken);
  if (options.nonce !== undefined) claims.nonce = options.nonce;
  // exportJWK without { private: true } is the public half: the header never carries `d`.
  const jwk = exportJWK(key);
  const proof = sign(claims, key, { alg: key.alg, typ: 'dpop+jwt', header: { jwk } });
  process.stdout.write(`${proof}\n`);
}

/** A private key of an asymmetric DPoP algorithm (§4.2: never none, never a symmetric one). */
async function proofKey(options: DpopCommandOptions): Promise<Key> {
  if (options.key === undefined) throw usage('give --key FILE, the private key that signs the proofs');
  const source = await readKeyFile(options.key);
  if (source.kind === 'jwk' && source.jwk.kty === 'oct') {
    throw badInput(
      `the key file ${options.key} holds a secret (oct) key; DPoP needs an asymmetric private key`,
    );
  }
  const alg = chooseAlg(source, options.alg);
  if (!(DPOP_ALGORITHMS as readonly string[]).includes(alg)) {
    throw usage(`${alg} is not a DPoP algorithm; use one of ${DPOP_ALGORITHMS.join(', ')}`);
  }
  const key = importSource(source, alg);
  if (key.type !== 'private') {
    throw badInput(`the key file ${options.key} holds a public key; a DPoP proof needs the private key`);
  }
  return key;
}

async function readAccessToken(options: DpopCommandOptions): Promise<string | undefined> {
  if (options.accessToken !== undefined && options.accessTokenStdin) {
    throw usage('give --access-token or --access-token-stdin, not both');
  }
  const raw = options.accessTokenStdin ? (await readStdin('an access token')).trim() : options.accessToken;
  if (raw === undefined) return undefined;
  // RFC 6750 §2.1 b64token; the token itself is never part of the message.
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(raw))
    throw badInput('the access token is not a token (RFC 6750 b64token)');
  return raw;
}
