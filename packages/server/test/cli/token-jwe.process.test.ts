import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, generateSecret } from '@sesame/jwt';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import { cliOk, oneLineError, runCli, tempDir } from './run-cli.js';

/**
 * `sesame token encrypt|decrypt` in real processes: round trips for each key family and key file
 * form, a nested JWT through sign | encrypt | decrypt | verify, a JWKS of private keys, a JWE made
 * by jose, and the refusals, each one line on stderr with a non-zero exit.
 */
async function keyFiles() {
  const dir = tempDir();
  const write = async (name: string, content: string | object) => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const rsa = generateKeyPair('RSA-OAEP-256', { kid: 'rsa-1' });
  const x25519 = generateKeyPair('ECDH-ES+A256KW', { crv: 'X25519', kid: 'x-1' });
  const kw = generateSecret('A128KW', { kid: 'kw-1' });
  const dir128 = generateSecret('dir', { enc: 'A128GCM', kid: 'dir-1' });
  const signing = generateKeyPair('ES256', { kid: 'sig-1' });
  return {
    dir,
    rsa,
    x25519,
    rsaPublicPem: await write(
      'rsa-public.pem',
      rsa.publicKey.keyObject.export({ type: 'spki', format: 'pem' }) as string,
    ),
    rsaPrivatePem: await write(
      'rsa-private.pem',
      rsa.privateKey.keyObject.export({ type: 'pkcs8', format: 'pem' }) as string,
    ),
    xPublic: await write('x-public.jwk', exportJWK(x25519.publicKey)),
    xPrivate: await write('x-private.jwk', exportJWK(x25519.privateKey, { private: true })),
    kw: await write('kw.jwk', exportJWK(kw, { private: true })),
    otherKw: await write('other-kw.jwk', exportJWK(generateSecret('A128KW'), { private: true })),
    // RFC 7520 §5.6 style: a dir key that names its enc as its alg.
    dir128: await write('dir.jwk', { ...exportJWK(dir128, { private: true }), alg: 'A128GCM' }),
    jwks: await write('keys.json', {
      keys: [exportJWK(rsa.privateKey, { private: true }), exportJWK(x25519.privateKey, { private: true })],
    }),
    signingPrivate: await write('sig.jwk', exportJWK(signing.privateKey, { private: true })),
  };
}

// Three cases of about ten processes each, one after the other; the budget is per case.
describe('sesame token encrypt | decrypt', { timeout: 150_000 }, () => {
  const made = keyFiles();

  it('round trips for each key family and key file form', async () => {
    const files = await made;

    // One round trip per key family and file form.
    for (const [encryptArgs, decryptArgs, enc] of [
      [
        ['--key', files.rsaPublicPem, '--alg', 'RSA-OAEP-256'],
        ['--key', files.rsaPrivatePem, '--alg', 'RSA-OAEP-256'],
        'A256GCM',
      ],
      [['--key', files.xPublic], ['--key', files.xPrivate], 'A128CBC-HS256'],
      [['--key', files.kw], ['--key', files.kw], 'A192GCM'],
      [['--key', files.dir128, '--enc', 'A128GCM'], ['--key', files.dir128], 'A128GCM'],
    ] as const) {
      const args = encryptArgs.includes('--enc') ? [...encryptArgs] : [...encryptArgs, '--enc', enc];
      const jwe = (await cliOk(['token', 'encrypt', 'a secret message', ...args])).trim();
      expect(jwe.split('.')).toHaveLength(5);
      expect(await cliOk(['token', 'decrypt', jwe, ...decryptArgs])).toBe('a secret message\n');
    }
  });

  it('a nested JWT through sign | encrypt | decrypt | verify; a JWKS; a JWE made by jose', async () => {
    const files = await made;
    // A nested JWT: sign | encrypt --cty JWT | decrypt | verify.
    const signed = await cliOk([
      'token',
      'sign',
      '--key',
      files.signingPrivate,
      '--sub',
      'u1',
      '--aud',
      'api',
      '--exp',
      '5m',
    ]);
    const nested = (
      await cliOk(['token', 'encrypt', '-', '--key', files.xPublic, '--cty', 'JWT'], { input: signed })
    ).trim();
    const opened = JSON.parse(await cliOk(['token', 'decrypt', nested, '--key', files.xPrivate, '--json']));
    expect(opened.header).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT', kid: 'x-1' });
    expect(opened.plaintext).toBe(signed.trim());
    const inner = await cliOk(['token', 'decrypt', nested, '--key', files.xPrivate]);
    const claims = JSON.parse(
      await cliOk(['token', 'verify', '-', '--key', files.signingPrivate, '--aud', 'api'], { input: inner }),
    );
    expect(claims).toMatchObject({ sub: 'u1', aud: 'api' });

    // A JWKS of private keys: the key is chosen by kid and alg.
    const forRsa = (
      await cliOk([
        'token',
        'encrypt',
        'to rsa',
        '--key',
        files.rsaPublicPem,
        '--alg',
        'RSA-OAEP-256',
        '--kid',
        'rsa-1',
      ])
    ).trim();
    expect(await cliOk(['token', 'decrypt', forRsa, '--key', files.jwks])).toBe('to rsa\n');

    // A JWE made by jose.
    const fromJose = await new jose.CompactEncrypt(new TextEncoder().encode('from jose'))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512' })
      .encrypt(await jose.importJWK(exportJWK(files.x25519.publicKey) as jose.JWK, 'ECDH-ES+A256KW'));
    expect(await cliOk(['token', 'decrypt', fromJose, '--key', files.xPrivate])).toBe('from jose\n');
  });

  it('refusals: one line on stderr, the exit code of their kind, nothing on stdout', async () => {
    const files = await made;
    const kwToken = (await cliOk(['token', 'encrypt', 'hello', '--key', files.kw])).trim();
    for (const [args, code, exit] of [
      [['token', 'decrypt', kwToken, '--key', files.otherKw], 'ERR_JWE_DECRYPTION_FAILED', 1],
      [['token', 'decrypt', kwToken, '--key', files.kw, '--enc', 'A128GCM'], 'ERR_JOSE_ALG_NOT_ALLOWED', 1],
      [
        [
          'token',
          'decrypt',
          `${Buffer.from('{"alg":"RSA1_5","enc":"A128GCM"}').toString('base64url')}.${kwToken.split('.').slice(1).join('.')}`,
          '--key',
          files.rsaPrivatePem,
          '--alg',
          'RSA-OAEP',
        ],
        'ERR_JOSE_NOT_SUPPORTED',
        1,
      ],
      [
        ['token', 'decrypt', kwToken.split('.').slice(0, 3).join('.'), '--key', files.kw],
        'ERR_JWE_INVALID',
        3,
      ],
      [['token', 'decrypt', kwToken, '--key', files.xPublic], 'ERR_CLI_INPUT', 3],
      [['token', 'encrypt', 'hello', '--key', files.rsaPublicPem], 'ERR_CLI_USAGE', 2],
      [['token', 'encrypt', 'hello', '--key', files.kw, '--enc', 'A128CBC'], 'ERR_CLI_USAGE', 2],
      [['token', 'encrypt', 'hello', '--key', files.kw, '--alg', 'RSA1_5'], 'ERR_CLI_USAGE', 2],
      [['token', 'encrypt', 'hello', '--key', files.kw, '--alg', 'A256KW'], 'ERR_JWK_INVALID', 3],
    ] as const) {
      const result = await runCli(args);
      expect({ args: args.slice(0, 2), code: oneLineError(result.stderr).code, exit: result.code }).toEqual({
        args: args.slice(0, 2),
        code,
        exit,
      });
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toContain(kwToken);
    }
  });
});
