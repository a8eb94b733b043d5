/**
 * The guard of `npm run test:unit` is seen refusing: with its setup loaded, starting a process or
 * connecting to PostgreSQL/Redis throws and names the file convention, while other sockets work.
 */
import { spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { hostPort, PG_URL, REDIS_URL } from '../src/services.js';

// Loaded here by hand: `npm test` has no setup file, and vitest runs each test file in its own fork.
await import('../src/unit-setup.js');

describe('unit-setup', () => {
  it('refuses to start a process, naming the convention', () => {
    expect(() => spawnSync(process.execPath, ['--version'])).toThrow(
      /starts a process.*\*\.process\.test\.ts/,
    );
  });

  it('refuses a connection to PostgreSQL or Redis', () => {
    expect(() => connect(hostPort(PG_URL, 5432).port, '127.0.0.1')).toThrow(/PostgreSQL or Redis/);
    expect(() => connect({ port: hostPort(REDIS_URL, 6379).port, host: '127.0.0.1' })).toThrow(
      /PostgreSQL or Redis/,
    );
  });

  it('lets any other connection through', async () => {
    const server = createServer((socket) => socket.end('hi'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
      socket.on('end', () => resolve(data)).on('error', reject);
    });
    server.close();
    expect(text).toBe('hi');
  });
});
