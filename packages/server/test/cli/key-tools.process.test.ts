import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { importJWK, thumbprint } from '@sesame/jwt';
import { describe, expect, it } from 'vitest';
import { cliOk, oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame keys generate|thumbprint|jwks', { timeout: 120_000 }, () => {
  it('generates PEM by default, JWK on request, and HMAC secrets as JWK only', async () => {
    expect(await cliOk(['keys', 'generate'])).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const jwk = JSON.parse(await cliOk(['keys', 'generate', '--alg', 'EdDSA', '--format', 'jwk']));
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwk.kid).toBe(thumbprint(jwk)); // the default kid is the RFC 7638 thumbprint
    expect(typeof jwk.d).toBe('string');
    const secret = JSON.parse(await cliOk(['keys', 'generate', '--alg', 'HS512']));
    expect(secret).toMatchObject({ kty: 'oct', alg: 'HS512' });
    expect(Buffer.from(secret.k, 'base64url')).toHaveLength(64);
    const pemSecret = await runCli(['keys', 'generate', '--alg', 'HS256', '--format', 'pem']);
    expect(pemSecret.code).toBe(2);
    expect(oneLineError(pemSecret.stderr).line).toMatch(/written as JWK/);
    const kidInPem = await runCli(['keys', 'generate', '--kid', 'k1']);
    expect(kidInPem.code).toBe(2);
    const smallRsa = await runCli(['keys', 'generate', '--alg', 'RS256', '--bits', '1024']);
    expect(smallRsa.code).toBe(2);
  });

  it('writes --out files readable by the owner only, says what it wrote, and overwrites only with --force', async () => {
    const file = join(tempDir(), 'key.pem');
    expect(await cliOk(['keys', 'generate', '--out', file])).toBe(
      `wrote ES256 private key to ${file} (PEM, PKCS#8, readable by its owner only)\n`,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const first = await readFile(file, 'utf8');
    const again = await runCli(['keys', 'generate', '--out', file]);
    expect(again.code).toBe(3);
    expect(oneLineError(again.stderr).line).toBe(
      `error ERR_FILE_EXISTS: ${file} exists; pass --force to overwrite it`,
    );
    expect(await readFile(file, 'utf8')).toBe(first);
    // --force replaces it with a new owner-only file, even over a file others could read.
    await chmod(file, 0o644);
    expect(await cliOk(['keys', 'generate', '--alg', 'HS256', '--out', file, '--force'])).toBe(
      `wrote HS256 secret to ${file} (JWK, readable by its owner only)\n`,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8')).kty).toBe('oct');
    expect(await readdir(dirname(file))).toEqual(['key.pem']);
  });

  it('prints the same thumbprint for a private PEM and its public JWK, and the RFC 9278 URI', async () => {
    const dir = tempDir();
    const pem = join(dir, 'rsa.pem');
    await cliOk(['keys', 'generate', '--alg', 'PS256', '--out', pem]);
    const jwks = JSON.parse(await cliOk(['keys', 'jwks', pem]));
    const publicFile = join(dir, 'public.jwk');
    await writeFile(publicFile, JSON.stringify(jwks.keys[0]));
    const fromPem = (await cliOk(['keys', 'thumbprint', pem])).trim();
    expect((await cliOk(['keys', 'thumbprint', publicFile])).trim()).toBe(fromPem);
    expect(fromPem).toBe(thumbprint(jwks.keys[0]));
    expect((await cliOk(['keys', 'thumbprint', pem, '--uri'])).trim()).toBe(
      `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${fromPem}`,
    );
    const badHash = await runCli(['keys', 'thumbprint', pem, '--hash', 'md5']);
    expect(badHash.code).toBe(2);
    const notAKey = join(dir, 'note.txt');
    await writeFile(notAKey, 'hello');
    const garbage = await runCli(['keys', 'thumbprint', notAKey]);
    expect(garbage.code).toBe(3);
    expect(oneLineError(garbage.stderr).line).toMatch(/neither PEM nor a JWK/);
  });

  it('builds a public JWKS: no private members, alg when known, refuses secrets and duplicate kids', async () => {
    const dir = tempDir();
    const ec = join(dir, 'ec.pem');
    const rsa = join(dir, 'rsa.pem');
    const hs = join(dir, 'hs.jwk');
    await cliOk(['keys', 'generate', '--alg', 'ES384', '--out', ec]);
    await cliOk(['keys', 'generate', '--alg', 'RS256', '--out', rsa]);
    await cliOk(['keys', 'generate', '--alg', 'HS256', '--out', hs]);
    const { keys } = JSON.parse(await cliOk(['keys', 'jwks', ec, rsa]));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384', use: 'sig' });
    expect(keys[1].alg).toBeUndefined(); // an RSA PEM does not say RS* or PS*
    for (const jwk of keys) {
      expect(Object.keys(jwk)).not.toContain('d');
      expect(importJWK(jwk, jwk.alg ?? 'RS256').type).toBe('public');
    }
    const withAlg = JSON.parse(await cliOk(['keys', 'jwks', rsa, '--alg', 'RS256']));
    expect(withAlg.keys[0].alg).toBe('RS256');

    const secret = await runCli(['keys', 'jwks', ec, hs]);
    expect(secret.code).toBe(3);
    expect(oneLineError(secret.stderr).line).toMatch(/never published/);
    expect(secret.stderr).not.toContain(JSON.parse(await readFile(hs, 'utf8')).k);
    const duplicate = await runCli(['keys', 'jwks', ec, ec]);
    expect(duplicate.code).toBe(3);
    expect(oneLineError(duplicate.stderr).line).toMatch(/two keys have the kid/);
  });

  it('documents examples and exit codes in every command help', async () => {
    for (const command of [
      ['token'],
      ['token', 'decode'],
      ['token', 'sign'],
      ['token', 'verify'],
      ['keys', 'generate'],
      ['keys', 'thumbprint'],
      ['keys', 'jwks'],
    ]) {
      const help = await cliOk([...command, '--help']);
      expect(help, command.join(' ')).toMatch(/Examples:\n {2}\$ sesame /);
      expect(help, command.join(' ')).toMatch(/Exit codes:\n {2}0 {2}success/);
    }
  });
});
