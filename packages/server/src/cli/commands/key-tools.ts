import { collect, generateCommand, jwksCommand, thumbprintCommand } from '@sesame/tools';
import type { Command } from 'commander';
import { action, configure } from '../lib/errors.js';

/**
 * Adds `generate`, `thumbprint` and `jwks` under the `keys` command (whose `list` and `rotate`
 * manage the server's own keyring): offline tools for keys people bring or make themselves.
 *
 * @example
 * const keys = program.command('keys').description('signing keys');
 * registerKeyTools(keys);
 */
export function registerKeyTools(keys: Command): Command {
  configure(
    keys
      .command('generate')
      .description(
        "generate a signing key, or with --use enc a key tokens are encrypted to; the private key goes to stdout (or --out, mode 0600, and then an encryption key's public JWK to stdout)",
      )
      .option(
        '--alg <alg>',
        'signing: HS256|…|RS256|…|PS512|ES256|ES384|ES512|EdDSA (default ES256); --use enc: RSA-OAEP|RSA-OAEP-256|ECDH-ES|ECDH-ES+A128KW|…+A256KW (default)|A128KW|…|A256GCMKW|dir',
      )
      .option('--use <use>', 'sig (default) or enc: a key tokens are encrypted to (JWE, RFC 7516)')
      .option('--crv <crv>', 'ECDH-ES curve: P-256 (default), P-384, P-521 or X25519')
      .option('--enc <enc>', 'dir keys: the content encryption the secret serves (e.g. A256GCM)')
      .option('--format <format>', 'pem (default) or jwk; HS* secrets are always JWK')
      .option('--kid <kid>', 'key id for a JWK (default: its RFC 7638 thumbprint)')
      .option('--bits <bits>', 'RSA modulus length (default 2048)')
      .option('--out <file>', 'write the key to a new file readable only by its owner')
      .option('--force', 'with --out: overwrite an existing file'),
    `  $ sesame keys generate --alg ES256 > private.pem
  $ sesame keys generate --alg RS256 --format jwk --kid 2025-06 --out rs256.jwk
  $ sesame keys generate --alg HS256 | jq -r .k    # a 256-bit secret, base64url
  $ sesame keys generate --use enc --alg ECDH-ES+A256KW --crv X25519 --out rs-enc.pem > rs-enc.public.jwk`,
  ).action(action(generateCommand));

  configure(
    keys
      .command('thumbprint')
      .description('print the RFC 7638 thumbprint of a key (of its public part for key pairs)')
      .argument('<file>', 'PEM or JWK file, private or public')
      .option('--hash <hash>', 'sha256, sha384 or sha512', 'sha256')
      .option('--uri', 'print the RFC 9278 URI (urn:ietf:params:oauth:jwk-thumbprint:…)'),
    `  $ sesame keys thumbprint private.pem
  $ sesame keys thumbprint public.jwk --uri`,
  ).action(action(thumbprintCommand));

  configure(
    keys
      .command('jwks')
      .description('build a public JWKS from key files (private parts are dropped)')
      .argument('<files...>', 'PEM, JWK or JWKS files, private or public')
      .option(
        '--alg <alg>',
        'alg for keys that do not say theirs (RSA PEM), repeatable in file order',
        collect,
      ),
    `  $ sesame keys jwks current.pem next.pem > jwks.json
  $ sesame keys jwks rsa.pem --alg RS256`,
  ).action(action(jwksCommand));
  return keys;
}
