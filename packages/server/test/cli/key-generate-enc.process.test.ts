/**
 * `sesame keys generate --use enc` in a real process: a resource server's encryption key, its
 * private part in an owner-only file and its public JWK (use enc) on stdout; jose encrypts to that
 * JWK and `sesame token decrypt` opens the token with the file. Each refusal is one line, exit 2.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactEncrypt, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { cliOk, oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame keys generate --use enc', { timeout: 120_000 }, () => {
  it.each([
    ['ECDH-ES+A256KW', ['--crv', 'X25519'], { kty: 'OKP', crv: 'X25519' }],
    ['RSA-OAEP-256', [], { kty: 'RSA' }],
    ['ECDH-ES', ['--crv', 'P-384'], { kty: 'EC', crv: 'P-384' }],
  ])(
    '%s: private key to --out (0600), public JWK to stdout; jose encrypts, the CLI decrypts',
    async (alg, extra, shape) => {
      const file = join(tempDir(), 'enc.pem');
      const result = await runCli([
        'keys',
        'generate',
        '--use',
        'enc',
        '--alg',
        alg,
        ...extra,
        '--out',
        file,
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(new RegExp(`wrote ${alg.replace('+', '\\+')} private key to`));
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const jwk = JSON.parse(result.stdout);
      expect(jwk).toMatchObject({ ...shape, use: 'enc', alg, kid: expect.any(String) });
      expect(jwk.d).toBeUndefined();
      const token = await new CompactEncrypt(new TextEncoder().encode('for the resource server'))
        .setProtectedHeader({ alg, enc: 'A256GCM', kid: jwk.kid })
        .encrypt(await importJWK(jwk, alg));
      expect(await cliOk(['token', 'decrypt', token, '--key', file, '--alg', alg])).toBe(
        'for the resource server\n',
      );
    },
  );

  it('a JWK private key keeps the kid, use enc and the private members; a secret is a JWK', async () => {
    const jwk = JSON.parse(
      await cliOk([
        'keys',
        'generate',
        '--use',
        'enc',
        '--alg',
        'RSA-OAEP',
        '--format',
        'jwk',
        '--kid',
        'rs-1',
      ]),
    );
    expect(jwk).toMatchObject({
      kty: 'RSA',
      kid: 'rs-1',
      use: 'enc',
      alg: 'RSA-OAEP',
      d: expect.any(String),
    });
    const secret = JSON.parse(await cliOk(['keys', 'generate', '--use', 'enc', '--alg', 'A256KW']));
    expect(secret).toMatchObject({ kty: 'oct', alg: 'A256KW', use: 'enc' });
    expect(Buffer.from(secret.k, 'base64url')).toHaveLength(32);
  });

  it.each([
    [['--use', 'encrypt'], /--use must be sig or enc/],
    [['--use', 'enc', '--alg', 'RSA1_5'], /unsupported key management algorithm/],
    [['--use', 'enc', '--alg', 'PBES2-HS256+A128KW'], /unsupported key management algorithm/],
    [['--use', 'enc', '--alg', 'ES256'], /unsupported key management algorithm/],
    [['--use', 'enc', '--alg', 'RSA-OAEP', '--crv', 'P-256'], /--crv applies to ECDH-ES keys only/],
    [['--use', 'enc', '--alg', 'ECDH-ES', '--crv', 'Ed25519'], /--crv must be one of/],
    [['--use', 'enc', '--alg', 'dir'], /give --enc/],
    [['--use', 'enc', '--alg', 'A128KW', '--format', 'pem'], /written as JWK/],
    [['--crv', 'X25519'], /add --use enc/],
  ])('refuses %j in one line', async (args, message) => {
    const result = await runCli(['keys', 'generate', ...args]);
    expect(result.code).toBe(2);
    expect(oneLineError(result.stderr).line).toMatch(message);
  });
});
