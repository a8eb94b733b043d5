/**
 * Stops and starts the machine's PostgreSQL and Redis for the fault tests (npm run test:faults,
 * never inside the parallel `npm test`: every other suite would see the outage). The start
 * commands are the ones .ci/run uses; `restoreServices()` brings both back, whatever state a
 * failed test left them in, and is called in every afterAll.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { reachable, type Service } from '../helpers/services.js';

const REDIS_START = [
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1',
  '-::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  '/var/lib/redis',
  '--logfile',
  '/var/log/redis/ci.log',
];

function pgctl(action: 'start' | 'stop'): void {
  const version = readdirSync('/etc/postgresql').sort().at(-1)!;
  // `-m fast` on stop: open connections are cut at once, as in a crash or a failover.
  const mode = action === 'stop' ? ['-m', 'fast'] : [];
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action, ...mode], {
    stdio: 'ignore',
  });
}

/** Waits until the service answers (true) or is gone (false). */
export async function waitFor(service: Service, up: boolean, ms = 30_000): Promise<void> {
  const start = Date.now();
  while ((await reachable(service, 300)) !== up) {
    if (Date.now() - start > ms) throw new Error(`${service} still ${up ? 'down' : 'up'} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopPostgres(): Promise<void> {
  pgctl('stop');
  await waitFor('PostgreSQL', false);
}

export async function startPostgres(): Promise<void> {
  if (!(await reachable('PostgreSQL', 300))) pgctl('start');
  await waitFor('PostgreSQL', true);
  // Accepting TCP is not accepting queries yet (57P03 while starting): wait for pg_isready too.
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'], { stdio: 'ignore' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function stopRedis(): Promise<void> {
  try {
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave'], { stdio: 'ignore' });
  } catch {
    // redis-cli reports the dropped connection of a shutdown as a failure.
  }
  await waitFor('Redis', false);
}

export async function startRedis(): Promise<void> {
  if (!(await reachable('Redis', 300))) {
    execFileSync('mkdir', ['-p', '/var/lib/redis', '/var/log/redis']);
    execFileSync('redis-server', REDIS_START, { stdio: 'ignore' });
  }
  await waitFor('Redis', true);
}

/** Both services up again: the last step of every fault suite, also after a failure. */
export async function restoreServices(): Promise<void> {
  await startPostgres();
  await startRedis();
}
