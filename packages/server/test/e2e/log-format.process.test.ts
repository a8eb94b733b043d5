/**
 * `logFormat` (SESAME_LOG_FORMAT): the terminal that shows the banner gets readable log lines, a
 * pipe or a file gets JSON. Real `sesame serve` processes: one with stdout a pipe (auto → JSON,
 * pretty when set), one under a pseudo-terminal (auto → pretty) through util-linux `script`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sesameArgs } from '@sesame/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { prettyLine, prettyLogs } from '../../src/logger.js';
import { stopAll } from '../helpers/processes.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  stopAll();
});

/** `sesame serve` (through `script` for a terminal), a GET /healthz, and the request's log line. */
async function requestLine(env: Record<string, string>, terminal: boolean): Promise<string> {
  const port = await freePort();
  const args = [...sesameArgs(), 'serve', '--port', String(port)];
  const dataDir = mkdtempSync(join(tmpdir(), 'sesame-logformat-'));
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, SESAME_DATA_DIR: dataDir };
  delete fullEnv.SESAME_LOG_FORMAT; // the runner's own setting must not decide
  Object.assign(fullEnv, env);
  const command = [process.execPath, ...args].map((arg) => `'${arg}'`).join(' ');
  const child = terminal
    ? spawn('script', ['-qfec', command, '/dev/null'], { env: fullEnv })
    : spawn(process.execPath, args, { env: fullEnv });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise((done) => child.on('close', done));
  const until = async (text: string) => {
    while (!output.includes(text)) {
      if (child.exitCode !== null) throw new Error(`serve exited: ${output}`);
      await Promise.race([new Promise((r) => child.stdout!.once('data', r)), exited]);
    }
  };
  await until('sesame listening');
  await fetch(`http://127.0.0.1:${port}/healthz?probe=1`);
  await until('/healthz?probe=1');
  child.kill('SIGTERM');
  await exited;
  // Terminals end lines with \r\n.
  return output.split(/\r?\n/).find((line) => line.includes('/healthz?probe=1'))!;
}

describe('prettyLogs', () => {
  it('is pretty for a terminal under auto, JSON otherwise, and as set when set', () => {
    expect(prettyLogs({ logFormat: 'auto' }, true)).toBe(true);
    expect(prettyLogs({ logFormat: 'auto' }, false)).toBe(false);
    expect(prettyLogs({ logFormat: 'json' }, true)).toBe(false);
    expect(prettyLogs({ logFormat: 'pretty' }, false)).toBe(true);
  });
  it('prints a pino line as one readable line', () => {
    const json = JSON.stringify({
      level: 30,
      time: 0,
      pid: 1,
      hostname: 'h',
      method: 'GET',
      msg: 'request completed',
    });
    const line = prettyLine(false)(json);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request completed \{"method":"GET"\}\n$/);
  });
});

describe('sesame serve log lines', () => {
  it('are JSON on a pipe by default', async () => {
    const line = await requestLine({ SESAME_LOG_LEVEL: 'info' }, false);
    expect(JSON.parse(line)).toMatchObject({
      msg: 'request completed',
      url: '/healthz?probe=1',
      statusCode: 200,
    });
  }, 60_000);
  it.skipIf(!hasScript)(
    'are readable on a terminal by default, and JSON there with SESAME_LOG_FORMAT=json',
    async () => {
      const pretty = await requestLine({ SESAME_LOG_LEVEL: 'info' }, true);
      expect(pretty).toContain('INFO');
      expect(pretty).toContain('request completed');
      expect(pretty.trimStart().startsWith('{')).toBe(false);
      const json = await requestLine({ SESAME_LOG_LEVEL: 'info', SESAME_LOG_FORMAT: 'json' }, true);
      expect(JSON.parse(json)).toMatchObject({ msg: 'request completed', statusCode: 200 });
    },
    90_000,
  );
});
