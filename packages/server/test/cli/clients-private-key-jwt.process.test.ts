/**
 * `sesame clients add|set --auth private_key_jwt --jwks FILE | --jwks-uri URL`: a signing client
 * gets no secret; the keys show in `list --json`; one form of keys replaces the other; SSRF-prone
 * URLs, client_secret_jwt and a private key in the file are refused on one line, non-zero exit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from '@sesame/jwt';
import { EXIT } from '@sesame/tools';
import { describe, expect, it } from 'vitest';
import { oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame clients: private_key_jwt', { timeout: 90_000 }, () => {
  it('registers keys from a file or a URL, and refuses what it must', async () => {
    const folder = tempDir();
    const dir = ['--data-dir', folder];
    const main = { main: true };
    const pair = generateKeyPair('ES256', { kid: 'cli-1' });
    const jwksFile = join(folder, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [exportJWK(pair.publicKey)] }));

    const added = await runCli(
      ['clients', 'add', 'job', '--auth', 'private_key_jwt', '--jwks', jwksFile, '--json', ...dir],
      main,
    );
    expect(added.code, added.stderr).toBe(0);
    const { client_id: id, client_secret: secret } = JSON.parse(added.stdout);
    expect(secret).toBeNull();
    const show = async () =>
      JSON.parse((await runCli(['clients', 'list', '--json', ...dir], main)).stdout).find(
        (client: { clientId: string }) => client.clientId === id,
      );
    expect(await show()).toMatchObject({
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [exportJWK(pair.publicKey)] },
      jwksUri: null,
    });

    const moved = await runCli(
      ['clients', 'set', id, '--jwks-uri', 'https://rp.example/jwks.json', ...dir],
      main,
    );
    expect(moved.code, moved.stderr).toBe(0);
    expect(await show()).toMatchObject({ jwks: null, jwksUri: 'https://rp.example/jwks.json' });

    for (const [args, line] of [
      [
        ['set', id, '--jwks-uri', 'https://169.254.169.254/latest/meta-data/'],
        'error ERR_CLIENT_INVALID: jwksUri refused: it names a loopback, private, link-local or reserved address, which the server does not fetch from',
      ],
      [
        ['add', 'x', '--auth', 'private_key_jwt', '--jwks-uri', 'http://127.0.0.1:9/jwks'],
        'error ERR_CLIENT_INVALID: jwksUri refused: it must be https',
      ],
      [
        ['add', 'x', '--auth', 'private_key_jwt'],
        'error ERR_CLIENT_INVALID: tokenEndpointAuthMethod private_key_jwt needs the public keys: jwks or jwksUri',
      ],
      [
        ['add', 'x', '--auth', 'client_secret_jwt'],
        'error ERR_CLI_USAGE: --auth client_secret_jwt is not offered: client secrets are stored hashed and cannot key an HMAC; use private_key_jwt',
      ],
      [
        ['add', 'x', '--auth', 'private_key_jwt', '--jwks', jwksFile, '--jwks-uri', 'https://rp.example/j'],
        'error ERR_CLI_USAGE: give --jwks or --jwks-uri, not both',
      ],
    ] as const) {
      const result = await runCli(['clients', ...args, ...dir], main);
      expect(result.code, args.join(' ')).toBe(EXIT.usage);
      expect(oneLineError(result.stderr).line).toBe(line);
    }
    const privateFile = join(folder, 'private.json');
    writeFileSync(privateFile, JSON.stringify(exportJWK(pair.privateKey, { private: true })));
    const leaked = await runCli(['clients', 'set', id, '--jwks', privateFile, ...dir], main);
    expect(leaked.code).toBe(EXIT.usage);
    expect(oneLineError(leaked.stderr).line).toBe(
      'error ERR_CLIENT_INVALID: jwks: a key holds private members: register the public key only',
    );
    // Nothing in the error echoes the key material.
    expect(leaked.stderr).not.toContain(String(exportJWK(pair.privateKey, { private: true }).d));
  });
});
