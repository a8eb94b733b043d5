/**
 * Setup of `npm run test:unit` (vitest.unit.config.ts): a unit test starts no process (so no
 * browser either) and opens no connection to PostgreSQL or Redis. Rather than trust file names,
 * this makes each of those throw, naming the convention: a test that needs one is named
 * `*.process.test.ts`, `*.browser.test.ts` or `*.services.test.ts`, and only `npm test` runs it.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { hostPort, PG_URL, REDIS_URL } from './services.js';

const refuse = (what: string) => () => {
  throw new Error(
    `a unit test ${what}: name the file *.process.test.ts (a process), *.browser.test.ts (a browser) ` +
      'or *.services.test.ts (PostgreSQL/Redis), so that only npm test runs it',
  );
};

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = refuse(
    `starts a process (child_process.${name})`,
  );
}
syncBuiltinESMExports();

const servicePorts = new Set([hostPort(PG_URL, 5432).port, hostPort(REDIS_URL, 6379).port]);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  // net.connect() and createConnection() pass their normalised arguments as one array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const port =
    typeof first === 'object' && first !== null ? Number((first as { port?: unknown }).port) : Number(first);
  if (servicePorts.has(port)) refuse(`connects to PostgreSQL or Redis (port ${port})`)();
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
