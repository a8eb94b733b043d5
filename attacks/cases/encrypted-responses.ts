import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLocalKeySet,
  decrypt,
  exportJWK,
  generateKeyPair,
  type JWKS,
  type Key,
  type KeyManagementAlgorithm,
  verify,
} from '@sesame/jwt';
import { authorizeUrl, Browser, eventually, pkce, signInAndConsent } from '@sesame/testkit';
import { basic, expectRejected, PLAYER } from '../lib/deployment.js';
import { sesame, sesameJson } from '../lib/processes.js';
import type { Context } from '../lib/setup.js';

const CATEGORY = 'encrypted responses';
const REDIRECT = 'http://127.0.0.1:9/callback';

interface Client {
  client_id: string;
  client_secret: string;
}

/** A client's encryption key pair, its public JWK Set written to a file for `--jwks`. */
function encryptionKeys(dir: string, name: string, use = 'enc') {
  const { publicKey, privateKey } = generateKeyPair('RSA-OAEP-256');
  // A signing key names a signature algorithm: the same RSA key, meant for RS256.
  const jwk = {
    ...exportJWK(publicKey),
    kid: `${name}-key`,
    use,
    alg: use === 'sig' ? 'RS256' : 'RSA-OAEP-256',
  };
  const file = join(dir, `attack-${name}-${Date.now()}.jwks.json`);
  writeFileSync(file, JSON.stringify({ keys: [jwk] }));
  return { file, privateKey: privateKey as Key<KeyManagementAlgorithm> };
}

/**
 * Encrypted ID tokens (OpenID Connect Core §10.2): an ID token encrypted to client E opens only with
 * E's key, reveals no claim without it, and is taken for nothing else — not an access token (guard,
 * /userinfo, introspection), not an id_token_hint; its inner JWS neither. E's keys cannot be swapped
 * for a set without an encryption key, nor registered with RSA1_5, PBES2 or a symmetric algorithm;
 * after E's key is changed, new ID tokens open with the new key and not the old one.
 */
export async function encryptedResponseAttacks(ctx: Context): Promise<void> {
  const { report, main } = ctx;
  const dir = main.dataDir;
  const e = encryptionKeys(dir, 'e');
  const f = encryptionKeys(dir, 'f');
  const add = (name: string, extra: string[]) =>
    sesame([
      ...['clients', 'add', name, '--grant', 'authorization_code,refresh_token', '--scopes', 'openid quiz'],
      ...['--redirect-uri', REDIRECT, '--data-dir', dir, ...extra],
    ]);
  const client = await sesameJson<Client>([
    ...['clients', 'add', 'encrypting app E', '--grant', 'authorization_code', '--scopes', 'openid quiz'],
    ...[
      '--redirect-uri',
      REDIRECT,
      '--data-dir',
      dir,
      '--jwks',
      e.file,
      '--id-token-encryption',
      'RSA-OAEP-256',
    ],
  ]);
  const jwks = createLocalKeySet(
    (await (await fetch(`${main.issuer}/.well-known/jwks.json`)).json()) as JWKS,
  );

  const tokens = async () => {
    const { verifier, challenge } = pkce();
    const url = authorizeUrl({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      state: 'attack',
      nonce: 'secret-nonce-e',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const { back } = await signInAndConsent(new Browser(main.issuer), url, PLAYER);
    const code = new URL(back.location ?? '', main.issuer).searchParams.get('code') ?? '';
    const response = await fetch(`${main.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      }),
    });
    return (await response.json()) as { id_token?: string; access_token?: string; error?: string };
  };
  /** The inner ID token as E opens it: decrypted with `key`, verified for E; undefined if either fails. */
  const open = (token: string | undefined, key: Key<KeyManagementAlgorithm>) => {
    try {
      const { plaintext } = decrypt(token ?? '', key, {
        keyManagementAlgorithms: ['RSA-OAEP-256'],
        contentEncryptionAlgorithms: ['A128CBC-HS256'],
      });
      const inner = plaintext.toString();
      const { payload } = verify(inner, jwks, {
        algorithms: ['ES256', 'RS256'],
        issuer: main.issuer,
        audience: client.client_id,
      });
      return { inner, payload };
    } catch {
      return undefined;
    }
  };

  const first = await tokens();
  const opened = open(first.id_token, e.privateKey);
  if (
    !report.check(
      CATEGORY,
      "control: E's ID token is a JWE that E's key opens, signed for E",
      first.id_token?.split('.').length === 5 && opened?.payload.nonce === 'secret-nonce-e',
      first.error ?? first.id_token?.split('.').length.toString() ?? 'no id_token',
    )
  )
    return;
  const idToken = first.id_token!;
  const visible = idToken
    .split('.')
    .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
    .join(' ');
  report.check(
    CATEGORY,
    'the encrypted ID token shows no claim (nonce, sub) without the key',
    !visible.includes('secret-nonce-e') && !visible.includes(String(opened!.payload.sub)),
  );
  report.check(
    CATEGORY,
    "another client's key does not open E's ID token",
    open(idToken, f.privateKey) === undefined,
  );
  await expectRejected(report, main, CATEGORY, "E's encrypted ID token used as an access token", idToken);
  await expectRejected(
    report,
    main,
    CATEGORY,
    "E's decrypted inner ID token used as an access token",
    opened!.inner,
  );
  const { challenge } = pkce();
  const hinted = await new Browser(main.issuer).get(
    authorizeUrl({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid quiz',
      prompt: 'none',
      id_token_hint: idToken,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  );
  const hintBack = new URL(hinted.location ?? 'http://none/', main.issuer).searchParams;
  report.check(
    CATEGORY,
    "E's encrypted ID token as an id_token_hint gets no code and no 5xx",
    hinted.status < 500 && hintBack.get('code') === null,
    `${hinted.status} ${hintBack.toString().slice(0, 120)}`,
  );

  // Swapping E's keys for a set with no key of use enc: refused, and the old key stays in force.
  const signingOnly = encryptionKeys(dir, 'sig', 'sig');
  const swapped = await sesame([
    'clients',
    'set',
    client.client_id,
    '--jwks',
    signingOnly.file,
    '--data-dir',
    dir,
  ]);
  report.check(
    CATEGORY,
    "E's keys swapped for a signing-only set are refused at configuration",
    swapped.code !== 0 && /no public key for RSA-OAEP-256/.test(swapped.stderr),
    `${swapped.code} ${swapped.stderr.trim().slice(0, 120)}`,
  );
  const after = await tokens();
  report.check(
    CATEGORY,
    "after the refused swap, E's ID tokens still open only with E's key",
    open(after.id_token, e.privateKey) !== undefined &&
      open(after.id_token, signingOnly.privateKey) === undefined,
  );
  const rotated = await sesame(['clients', 'set', client.client_id, '--jwks', f.file, '--data-dir', dir]);
  // The server remembers a client for up to a second, so a change made by the CLI is seen when
  // that runs out: asked until the new key is in use (or 30 s pass), never assumed at once.
  let next = await tokens();
  if (rotated.code === 0) {
    await eventually(async () => {
      if (open(next.id_token, f.privateKey) !== undefined) return true;
      next = await tokens();
      return false;
    }, 30_000).catch(() => undefined);
  }
  report.check(
    CATEGORY,
    "after E's key is changed, new ID tokens open with the new key and never the old one",
    rotated.code === 0 &&
      open(next.id_token, f.privateKey) !== undefined &&
      open(next.id_token, e.privateKey) === undefined,
    `${rotated.code} ${rotated.stderr.trim().slice(0, 120)}`,
  );

  for (const [name, args] of [
    ['RSA1_5', ['--jwks', e.file, '--id-token-encryption', 'RSA1_5']],
    ['PBES2-HS256+A128KW', ['--jwks', e.file, '--id-token-encryption', 'PBES2-HS256+A128KW']],
    ['dir (a shared key)', ['--jwks', e.file, '--userinfo-encryption', 'dir']],
    ['A256KW (a shared key)', ['--jwks', e.file, '--userinfo-encryption', 'A256KW']],
    ['encryption with no keys', ['--id-token-encryption', 'RSA-OAEP']],
    [
      'a jwks_uri at the metadata address',
      ['--jwks-uri', 'https://169.254.169.254/jwks', '--id-token-encryption', 'RSA-OAEP'],
    ],
  ] as const) {
    const refused = await add(`attack ${name}`, [...args]);
    report.check(
      CATEGORY,
      `a client cannot register ${name}`,
      refused.code !== 0 && /ERR_CLIENT_INVALID/.test(refused.stderr),
      `${refused.code} ${refused.stderr.trim().slice(0, 120)}`,
    );
  }
}
