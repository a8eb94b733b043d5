import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_WEAK_SECRETS, weakSecretReason } from '@sesame/tools';
import { describe, expect, it } from 'vitest';
import { cliOk, oneLineError, REPO_ROOT, runCli, tempDir } from './run-cli.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 token made by hand: @sesame/jwt refuses to sign with secrets this weak. */
function hs256(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);

describe('sesame token: refusals, warnings and errors', { timeout: 120_000 }, () => {
  it('refuses a wrong audience and an expired token with exit 1 and the code on one line', async () => {
    const dir = tempDir();
    const key = join(dir, 'es.pem');
    await cliOk(['keys', 'generate', '--alg', 'ES256', '--out', key]);
    const token = (await cliOk(['token', 'sign', '--key', key, '--aud', 'api', '--exp', '15m'])).trim();
    const wrongAud = await runCli(['token', 'verify', token, '--key', key, '--aud', 'other']);
    expect(wrongAud.code).toBe(1);
    expect(oneLineError(wrongAud.stderr).code).toBe('ERR_JWT_AUDIENCE');
    expect(wrongAud.stdout).toBe('');

    const expired = (
      await cliOk(['token', 'sign', '-', '--key', key, '--no-iat'], { input: '{"exp":1000000000}' })
    ).trim();
    const result = await runCli(['token', 'verify', expired, '--key', key]);
    expect(result.code).toBe(1);
    expect(oneLineError(result.stderr).code).toBe('ERR_JWT_EXPIRED');
    const decoded = JSON.parse(await cliOk(['token', 'decode', expired, '--json']));
    expect(decoded.warnings.map((w: { code: string }) => w.code)).toContain('expired');
    expect(decoded.times.exp.relative).toMatch(/ago$/);
  });

  it('shows the weak-secret warning from the leaked list, the built-in checks, and not for a strong one', async () => {
    const dir = tempDir();
    const list = join(dir, 'secrets.list');
    const listed = 'Zq8#long-enough-but-leaked-value-xyz-0123456789';
    // The real list's shape: CRLF line endings, the empty secret first.
    await writeFile(list, `\r\nabc\r\n${listed}\r\n`);
    const token = hs256({ sub: 'u1', exp: now() + 60 }, listed);
    const leaked = await cliOk(['token', 'decode', token, '--secret', listed, '--weak-secrets', list]);
    expect(leaked).toMatch(/weak-secret: the HMAC secret is on a public list/);
    expect(leaked).toMatch(/valid with the given secret/);
    expect(leaked).not.toContain(listed);

    const short = await cliOk(
      ['token', 'decode', hs256({ exp: now() + 60 }, 'secret'), '--secret-env', 'S'],
      {
        env: { S: 'secret' },
        // No default list here (it is looked for at ../shared/… of the working directory, and the
        // temp dir's own parent may have one): the built-in check alone must catch it.
        cwd: emptyWorkDir(dir),
      },
    );
    expect(short).toMatch(/weak-secret: weak HMAC secret: the secret is shorter than the hash/);
    expect(short).toMatch(/not checked: the secret is too short/);

    const strong = 'v9N3xQ7pL2mR8sT4wY6zB1cD5fG0hJ3kXa';
    const good = await cliOk([
      'token',
      'decode',
      hs256({ exp: now() + 60 }, strong),
      '--secret',
      strong,
      '--weak-secrets',
      list,
    ]);
    expect(good).not.toMatch(/weak-secret/);
    expect(good).toMatch(/valid with the given secret/);
    const bad = await cliOk([
      'token',
      'decode',
      hs256({ exp: now() + 60 }, strong),
      '--secret',
      `${strong}x`,
    ]);
    expect(bad).toMatch(/INVALID with the given secret/);
  });

  it('uses the shared leaked list by default when it is next to the checkout', async () => {
    const path = join(REPO_ROOT, DEFAULT_WEAK_SECRETS);
    if (!existsSync(path)) {
      console.warn(`skipped the default-list check: ${path} is absent`);
      return;
    }
    // A listed secret that passes every built-in check: only the list can flag it.
    const listed = readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .find((line) => line.length >= 40 && weakSecretReason(line, 'HS256') === undefined)!;
    const out = await cliOk(['token', 'decode', hs256({ exp: now() + 60 }, listed), '--secret-env', 'S'], {
      env: { S: listed },
    });
    expect(out).toMatch(/weak-secret: the HMAC secret is on a public list/);
    expect(out).not.toContain(listed);
  });

  it('warns about alg none, a missing exp, a long lifetime and an unknown crit; verify refuses alg none', async () => {
    const none = `${b64({ alg: 'none' })}.${b64({ sub: 'u1' })}.`;
    const decoded = JSON.parse(await cliOk(['token', 'decode', none, '--json']));
    expect(decoded.warnings.map((w: { code: string }) => w.code)).toEqual(['alg-none', 'no-exp']);
    const refused = await runCli(['token', 'verify', none, '--secret-env', 'S'], {
      env: { S: 'x'.repeat(40) },
    });
    expect(refused.code).toBe(1);
    expect(oneLineError(refused.stderr).code).toBe('ERR_JOSE_ALG_NOT_ALLOWED');

    const long = hs256({ iat: now(), exp: now() + 3 * 86_400 }, 'k'.repeat(32), {
      alg: 'HS256',
      crit: ['x-bank'],
      'x-bank': 1,
    });
    const text = await cliOk(['token', 'decode', long]);
    expect(text).toMatch(/long-lifetime: lifetime over a day \(3 d\)/);
    expect(text).toMatch(/unknown-crit: .*x-bank/);
    expect(text).not.toMatch(/alg-none|no-exp/);
  });

  it('reports a malformed token, a bad key file and bad usage in one line with exit 3 or 2', async () => {
    for (const args of [
      ['token', 'decode', 'not-a-token'],
      ['token', 'decode', 'a.b.c'],
      ['token', 'verify', 'not.a.token!', '--secret-env', 'S'],
    ]) {
      const result = await runCli(args, { env: { S: 'x'.repeat(40) } });
      expect(result.code, args.join(' ')).toBe(3);
      oneLineError(result.stderr);
    }
    const missingFile = await runCli(['token', 'sign', '--key', '/nonexistent/key.pem']);
    expect(missingFile.code).toBe(3);
    expect(oneLineError(missingFile.stderr).line).toMatch(/cannot read the key file/);

    const noSource = await runCli(['token', 'verify', 'a.b.c']);
    expect(noSource.code).toBe(2);
    const unknown = await runCli(['token', 'decode', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(oneLineError(unknown.stderr).line).toBe("error ERR_CLI_USAGE: unknown option '--frobnicate'");
    const badAlg = await runCli(['keys', 'generate', '--alg', 'none']);
    expect(badAlg.code).toBe(2);
    expect(oneLineError(badAlg.stderr).code).toBe('ERR_CLI_USAGE');
  });
});

/** A working directory whose ../shared is certainly absent: a folder two levels inside `dir`. */
function emptyWorkDir(dir: string): string {
  const work = join(dir, 'nowhere', 'work');
  mkdirSync(work, { recursive: true });
  return work;
}
