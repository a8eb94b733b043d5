/**
 * The example's README, run as written: `npm run dev` (its script, on free ports and a fresh data
 * dir), then the README's shell block with the client id and admin password the script printed
 * (curl and jq, as a reader would). The token must be granted `quiz admin` and answer questions, and
 * the revocation at the end must reach the quiz API. And with the server's port taken, the dev
 * script stops with one line instead of going on against the other server.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `npm run dev -w examples/quiz-api` as package.json runs it, from the example's folder. */
function dev(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=sesame-source', '--import', TSX, 'src/dev.ts'], {
    cwd: EXAMPLE,
    env: { ...process.env, SESAME_WORKERS: '1', SESAME_LOG_LEVEL: 'warn', ...env },
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((done) => child.on('close', done));
  const until = async (pattern: RegExp) => {
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`dev exited ${child.exitCode}: ${output}`);
      await Promise.race([new Promise((r) => child.stdout!.once('data', r)), exit]);
    }
    return pattern.exec(output)!;
  };
  return { child, exit, until, output: () => output };
}

const readme = readFileSync(join(EXAMPLE, 'README.md'), 'utf8');
/** The README's shell block that gets a token and calls the API. */
const block = /```sh\n(CLIENT_ID=[\s\S]*?)```/.exec(readme)![1]!;

describe('examples/quiz-api README, verbatim', () => {
  it('gets a quiz token with the printed values, answers, and is refused once revoked', async () => {
    const [sesamePort, quizPort] = [await freePort(), await freePort()];
    const dataDir = join(mkdtempSync(join(tmpdir(), 'quiz-readme-')), '.sesame');
    const run = dev({
      SESAME_PORT: String(sesamePort),
      QUIZ_PORT: String(quizPort),
      SESAME_DATA_DIR: dataDir,
    });
    const password = (await run.until(/admin password:\s+(\S+)/))[1]!;
    const clientId = (await run.until(/^CLIENT_ID=(\S+)$/m))[1]!;
    const script = `${block
      .replace('paste-the-client-id', clientId)
      .replace('paste-the-admin-password', password)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${sesamePort}`)
      .replaceAll('127.0.0.1:3000', `127.0.0.1:${quizPort}`)}\necho\necho "TOKEN=$TOKEN"\n`;
    const out = execFileSync('bash', ['-e', '-c', script], { encoding: 'utf8', timeout: 60_000 });
    const token = /^TOKEN=(.*)$/m.exec(out)![1]!;
    expect(token).toMatch(/^eyJ/); // not "null": the user has the quiz scope
    expect(out).toMatch(/"correct":(true|false),"score":\{"answered":1/);
    // The revocation at the end reaches the quiz API through the feed.
    const answer = () =>
      fetch(`http://127.0.0.1:${quizPort}/answers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"questionId":1,"choice":1}',
      }).then((r) => r.status);
    const deadline = Date.now() + 10_000;
    while ((await answer()) !== 401) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  }, 120_000);

  it('stops with one line, registering nothing, when the server port is taken', async () => {
    const port = await freePort();
    const taken: Server = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    try {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'quiz-taken-')), '.sesame');
      const run = dev({
        SESAME_PORT: String(port),
        QUIZ_PORT: String(await freePort()),
        SESAME_DATA_DIR: dataDir,
      });
      expect(await run.exit).toBe(1);
      const lines = run.output().trim().split('\n');
      expect(lines, run.output()).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^quiz dev: sesame serve cannot start on port ${port}: .*in use`));
      expect(existsSync(join(dataDir, 'quiz-api.json'))).toBe(false);
    } finally {
      taken.close();
    }
  }, 60_000);
});
