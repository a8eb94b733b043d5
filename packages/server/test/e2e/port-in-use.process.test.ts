import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runSesame } from '@sesame/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The default log level, as a newcomer runs it: nothing but the one line may reach the terminal.
const ENV: NodeJS.ProcessEnv = { ...process.env };
delete ENV.SESAME_LOG_LEVEL;

function sesame(args: string[]) {
  return runSesame(args, { env: ENV, cleanEnv: true });
}

let taken: Server;
let port: number;
beforeAll(async () => {
  port = await freePort();
  taken = createServer().listen(port, '127.0.0.1');
  await new Promise((ready) => taken.once('listening', ready));
});
afterAll(() => taken.close());

const inUse = () =>
  `error ERR_PORT_IN_USE: cannot listen on 127.0.0.1:${port} (EADDRINUSE): the port is in use; choose another with --port or SESAME_PORT\n`;

describe.concurrent('sesame serve on a port in use', { timeout: 90_000 }, () => {
  for (const workers of ['1', '3']) {
    it(`says so in one line, exits 5 and makes no admin (--workers ${workers})`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'sesame-port-'));
      const failed = await sesame([
        'serve',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        '--workers',
        workers,
      ]);
      expect(failed.code, failed.stderr).toBe(5);
      expect(failed.stderr).toBe(inUse());
      expect(failed.stdout).toBe('');
      // No admin was made, so the next start that works makes it and prints its password.
      const users = await sesame(['users', 'list', '--data-dir', dataDir]);
      expect(users.code, users.stderr).toBe(0);
      expect(users.stdout).toBe('');
    });
  }

  it('says so in one line with the default number of workers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sesame-port-'));
    const failed = await sesame(['serve', '--data-dir', dataDir, '--port', String(port)]);
    expect(failed.code, failed.stderr).toBe(5);
    expect(failed.stderr).toBe(inUse());
    expect(failed.stdout).toBe('');
  });
});
