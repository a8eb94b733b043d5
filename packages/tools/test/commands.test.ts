/**
 * The token and key tools as a library, in this process, with @sesame/jwt alone: a key made, a
 * token signed with it, verified and decoded; and the refusals, each with its code and exit code.
 * (`sesame token|keys`, which run these through the CLI, are tested in packages/server/test/cli.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  CliError,
  decodeCommand,
  describeError,
  EXIT,
  generateCommand,
  jwksCommand,
  signCommand,
  verifyCommand,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sesame-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

/** What `run` wrote to stdout. */
async function stdout(run: () => Promise<void>): Promise<string> {
  let text = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return text;
}

/** The error `run` threw, as the CLI describes it. */
async function failure(run: () => Promise<void>) {
  const error = await stdout(run).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, 'expected the command to throw').toBeDefined();
  return describeError(error);
}

describe('@sesame/tools', () => {
  const key = join(dir, 'private.pem');

  it('makes a key, signs a token with it, verifies and decodes it', async () => {
    expect(await stdout(() => generateCommand({ alg: 'ES256', out: key }))).toMatch(
      /^wrote ES256 private key/,
    );
    expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const token = (
      await stdout(() => signCommand('{"role":"tester"}', { key, sub: 'u1', aud: ['api'], exp: '15m' }))
    ).trim();
    expect(token.split('.')).toHaveLength(3);

    const claims = JSON.parse(await stdout(() => verifyCommand(token, { key, aud: ['api'] })));
    expect(claims).toMatchObject({ sub: 'u1', aud: 'api', role: 'tester' });

    const decoded = JSON.parse(await stdout(() => decodeCommand(token, { json: true })));
    expect(decoded.header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(decoded.warnings).toEqual([]);

    const jwks = JSON.parse(await stdout(() => jwksCommand([key], {})));
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].d).toBeUndefined(); // the public part only
  });

  it('refuses a token for another audience (exit 1) and a malformed one (exit 3)', async () => {
    const token = (await stdout(() => signCommand(undefined, { key, aud: ['api'], exp: '15m' }))).trim();
    expect(await failure(() => verifyCommand(token, { key, aud: ['other'] }))).toMatchObject({
      code: 'ERR_JWT_AUDIENCE',
      exitCode: EXIT.rejected,
    });
    expect(await failure(() => decodeCommand('not.a-token', {}))).toMatchObject({
      code: 'ERR_CLI_INPUT',
      exitCode: EXIT.input,
    });
  });

  it('refuses an impossible command line as a usage error (exit 2), naming no secret', async () => {
    process.env.SESAME_TOOLS_TEST_SECRET = 'a secret that must never be printed in an error 123';
    const token = (await stdout(() => signCommand(undefined, { key }))).trim();
    try {
      const described = await failure(() =>
        decodeCommand(token, { secret: 'x', secretEnv: 'SESAME_TOOLS_TEST_SECRET' }),
      );
      expect(described).toMatchObject({ code: 'ERR_CLI_USAGE', exitCode: EXIT.usage });
      expect(described.message).not.toContain('never be printed');
    } finally {
      delete process.env.SESAME_TOOLS_TEST_SECRET;
    }
    expect(new CliError('ERR_X', 'm', 5)).toBeInstanceOf(Error);
  });

  it('depends on @sesame/jwt and @sesame/protocol alone, which depend on nothing', () => {
    const manifest = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
    const tools = manifest('../package.json');
    expect(Object.keys(tools.dependencies).sort()).toEqual(['@sesame/jwt', '@sesame/protocol']);
    expect(tools.peerDependencies).toBeUndefined();
    expect(tools.optionalDependencies).toBeUndefined();
    for (const name of ['jwt', 'protocol']) {
      expect(manifest(`../../${name}/package.json`).dependencies, name).toBeUndefined();
    }
  });
});
