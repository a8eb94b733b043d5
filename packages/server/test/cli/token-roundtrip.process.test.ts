import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALGORITHMS, algorithmSpec } from '@sesame/jwt';
import { describe, expect, it } from 'vitest';
import { cliOk, oneLineError, runCli, tempDir } from './run-cli.js';

/**
 * "Done means" of the CLI: for every algorithm, keys the CLI generated sign a token that the CLI
 * decodes and verifies, in real processes. A second key of the same algorithm must fail.
 */
// Each case starts about ten processes, one after the other. The cases run one at a time: run
// concurrently, 13 × 10 processes compiling the sources at once starved each other on a loaded
// 2-core machine until single cases passed two minutes. The budget is per case.
describe('sesame token: sign → decode → verify for every algorithm', { timeout: 120_000 }, () => {
  it.each(ALGORITHMS.map((alg) => [alg]))('%s', async (alg) => {
    const dir = tempDir();
    const hmac = algorithmSpec(alg)!.family === 'HMAC';
    const jwkFile = join(dir, 'key.jwk');
    await cliOk(['keys', 'generate', '--alg', alg, '--format', 'jwk', '--kid', `k-${alg}`, '--out', jwkFile]);
    // A second key: PEM for key pairs (the other file format), another JWK for secrets.
    const otherFile = join(dir, hmac ? 'other.jwk' : 'other.pem');
    await cliOk(['keys', 'generate', '--alg', alg, '--out', otherFile]);

    const token = (
      await cliOk([
        'token',
        'sign',
        '--key',
        jwkFile,
        '--sub',
        'u1',
        '--aud',
        'api',
        '--exp',
        '15m',
        '--claim',
        'role=tester',
      ])
    ).trim();

    const decoded = JSON.parse(await cliOk(['token', 'decode', token, '--json']));
    expect(decoded.header).toMatchObject({ alg, kid: `k-${alg}`, typ: 'JWT' });
    expect(decoded.payload).toMatchObject({ sub: 'u1', aud: 'api', role: 'tester' });
    expect(decoded.payload.exp - decoded.payload.iat).toBe(900);
    expect(decoded.warnings).toEqual([]);
    expect(decoded.times.exp.relative).toMatch(/^in 1[45] min/);

    // The private key file verifies with its public part.
    const claims = JSON.parse(await cliOk(['token', 'verify', token, '--key', jwkFile, '--aud', 'api']));
    expect(claims).toMatchObject({ sub: 'u1', role: 'tester' });

    if (!hmac) {
      // Through a public JWKS built by the CLI, selected by kid.
      const jwks = await cliOk(['keys', 'jwks', jwkFile, otherFile, '--alg', alg]);
      expect(jwks).not.toMatch(/"d"/);
      const jwksFile = join(dir, 'jwks.json');
      await writeFile(jwksFile, jwks);
      await cliOk(['token', 'verify', token, '--key', jwksFile, '--alg', alg]);
    }

    // The same token against another key of the same algorithm is refused (exit 1).
    const wrong = await runCli(['token', 'verify', token, '--key', otherFile, '--alg', alg]);
    expect(wrong.code).toBe(1);
    expect(oneLineError(wrong.stderr).code).toBe('ERR_JWS_SIGNATURE');

    // And a token signed by the other key verifies with it (the PEM form round-trips too).
    const other = (await cliOk(['token', 'sign', '--key', otherFile, '--alg', alg, '--exp', '5m'])).trim();
    await cliOk(['token', 'verify', other, '--key', otherFile, '--alg', alg]);
  });
});
