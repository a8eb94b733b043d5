import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decode,
  exportJWK,
  generateKeyPair,
  generateSecret,
  thumbprint,
  verifyEmbeddedJwk,
} from '@sesame/jwt';
import { accessTokenHash, createDpopChecker } from '@sesame/protocol';
import { type Deployment, startDeployment } from '@sesame/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneLineError, runCli, tempDir } from './run-cli.js';

/**
 * `sesame token dpop` in real processes: a proof it prints is accepted by a real `sesame serve` at
 * the token endpoint (token_type DPoP, cnf.jkt = `--jkt`), and by the protocol checker the server
 * and the guard use for a resource request with `ath`; the refusals are one line and non-zero.
 */
const ACCESS_TOKEN = 'at-secret-value.Kz~8mXK1EalYznwH';

async function keyFiles() {
  const dir = tempDir();
  const write = async (name: string, content: string | object) => {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const ec = generateKeyPair('ES256');
  const ed = generateKeyPair('EdDSA');
  return {
    ecJwk: ec.publicKey,
    ecPrivate: await write('ec.jwk', exportJWK(ec.privateKey, { private: true })),
    edPem: await write('ed.pem', ed.privateKey.keyObject.export({ type: 'pkcs8', format: 'pem' }) as string),
    ecPublic: await write('ec-public.jwk', exportJWK(ec.publicKey)),
    oct: await write('hs.jwk', exportJWK(generateSecret('HS256'), { private: true })),
  };
}

function parts(proof: string) {
  const { header, payload } = decode(proof);
  return { header: header as Record<string, unknown>, payload: payload as Record<string, unknown> };
}

describe('sesame token dpop', { timeout: 150_000 }, () => {
  const made = keyFiles();
  let d: Deployment;
  beforeAll(async () => {
    d = await startDeployment({
      user: { username: 'dpop-cli-user', password: 'dpop cli password 1', scopes: 'openid' },
      client: { name: 'dpop-cli', grants: 'client_credentials', scopes: 'quiz' },
    });
  }, 120_000);
  afterAll(async () => {
    await d?.server.stop();
  });

  it('makes a proof a real server accepts: token_type DPoP bound to the --jkt thumbprint', async () => {
    const files = await made;
    const tokenUrl = `${d.base}/oauth/token`;
    // The whole `sesame` program, as a user runs it.
    const made1 = await runCli(
      ['token', 'dpop', '--key', files.ecPrivate, '--method', 'POST', '--url', `${tokenUrl}?x=1#frag`],
      { main: true },
    );
    expect(made1.code, made1.stderr).toBe(0);
    const proof = made1.stdout.trim();
    expect(made1.stdout).toBe(`${proof}\n`);
    const { header, payload } = parts(proof);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
    const jwk = header.jwk as Record<string, unknown>;
    expect(jwk).not.toHaveProperty('d');
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', x: exportJWK(files.ecJwk).x });
    // §4.2: htu without query and fragment; no ath without an access token.
    expect(payload).toMatchObject({ htm: 'POST', htu: tokenUrl });
    expect(payload).not.toHaveProperty('ath');
    expect(payload).not.toHaveProperty('nonce');
    expect(typeof payload.jti).toBe('string');
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(120);

    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${d.client.id}:${d.client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        dpop: proof,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'quiz' }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.token_type).toBe('DPoP');

    const jkt = await runCli(['token', 'dpop', '--key', files.ecPrivate, '--jkt'], { main: true });
    expect(jkt.code, jkt.stderr).toBe(0);
    expect(jkt.stdout).toBe(`${thumbprint(files.ecJwk)}\n`);
    const claims = decode(body.access_token as string).payload as { cnf?: { jkt?: string } };
    expect(claims.cnf?.jkt).toBe(jkt.stdout.trim());
  });

  it('makes a resource proof with ath and nonce that the protocol checker accepts', async () => {
    const files = await made;
    const url = 'https://api.example/quiz?page=2';
    const args = ['token', 'dpop', '--key', files.edPem, '--method', 'GET', '--url', url, '--nonce', 'n-1'];
    const fromStdin = await runCli([...args, '--access-token-stdin'], { input: `${ACCESS_TOKEN}\n` });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    const fromArgument = await runCli([...args, '--access-token', ACCESS_TOKEN]);
    expect(fromArgument.code, fromArgument.stderr).toBe(0);
    const seen = new Set<string>();
    const check = createDpopChecker({
      verify: verifyEmbeddedJwk,
      replay: { remember: async (key) => !seen.has(key) && Boolean(seen.add(key)) },
      nonce: { isCurrent: (nonce) => nonce === 'n-1' },
    });
    for (const result of [fromStdin, fromArgument]) {
      const proof = result.stdout.trim();
      const { header, payload } = parts(proof);
      expect(header.alg).toBe('EdDSA');
      expect(header.jwk).not.toHaveProperty('d');
      expect(payload).toMatchObject({
        htm: 'GET',
        htu: 'https://api.example/quiz',
        ath: accessTokenHash(ACCESS_TOKEN),
        nonce: 'n-1',
      });
      await expect(
        check({ header: proof, method: 'GET', url, accessToken: ACCESS_TOKEN }),
      ).resolves.toMatchObject({ thumbprint: expect.any(String) });
      // The same proof for another token: the ath check refuses it (a fresh jti, so not the replay).
      const other = (await runCli([...args, '--access-token', 'another-token'])).stdout.trim();
      await expect(
        check({ header: other, method: 'GET', url, accessToken: ACCESS_TOKEN }),
      ).rejects.toMatchObject({ rule: 'ath' });
    }
    // Two proofs never share a jti.
    expect(parts(fromStdin.stdout.trim()).payload.jti).not.toBe(
      parts(fromArgument.stdout.trim()).payload.jti,
    );
  });

  it('refuses secrets, public keys, missing or malformed --method/--url: one line, never the token', async () => {
    const files = await made;
    const request = ['--method', 'POST', '--url', 'https://id.example/oauth/token'];
    const secretToken = ['--access-token', ACCESS_TOKEN];
    for (const [args, exit, message] of [
      [['--key', files.oct, ...request, ...secretToken], 3, /secret \(oct\) key/],
      [['--key', files.ecPublic, ...request, ...secretToken], 3, /holds a public key/],
      [['--key', files.ecPrivate, '--alg', 'HS256', ...request], 2, /HS256 is not a DPoP algorithm/],
      [['--key', files.ecPrivate, '--method', 'POST', ...secretToken], 2, /give --url/],
      [['--key', files.ecPrivate, '--url', 'https://id.example/oauth/token'], 2, /give --method/],
      [
        ['--key', files.ecPrivate, '--method', 'POST', '--url', 'id.example/token', ...secretToken],
        2,
        /--url must be/,
      ],
      [['--key', files.ecPrivate, '--method', 'POST', '--url', 'ftp://id.example/x'], 2, /--url must be/],
      [
        ['--key', files.ecPrivate, '--method', 'PO ST', '--url', 'https://id.example/x'],
        2,
        /not an HTTP method/,
      ],
      [['--key', files.ecPrivate, ...request, '--access-token', `${ACCESS_TOKEN} x`], 3, /not a token/],
      [[...request], 2, /give --key/],
    ] as const) {
      const result = await runCli(['token', 'dpop', ...args]);
      expect(result.code, result.stderr).toBe(exit);
      expect(result.stdout).toBe('');
      expect(oneLineError(result.stderr).line).toMatch(message);
      expect(result.stderr).not.toContain(ACCESS_TOKEN);
    }
  });
});
