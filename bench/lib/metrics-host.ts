/**
 * Driving bench/targets/metrics-host.ts under callgrind: its commands, each awaited until the
 * process answers it, and the client_credentials requests sent to one of its apps.
 */
import { join } from 'node:path';
import { type Counted, lineReader, startCounted } from './callgrind.js';
import { ROOT, TSX_IMPORT } from './processes.js';
import { basic, type Credentials } from './sesame.js';

export interface Host {
  counted: Counted;
  /** Sends one command and resolves with the process's answer (`host {json}`). */
  command(line: string): Promise<Record<string, unknown>>;
  /** Ends the process (stdin closed: it exits by itself) and returns callgrind's dumps. */
  stop(): ReturnType<Counted['stop']>;
}

/** Starts the host process, uninstrumented, over `dataDir`; its files go into `work`. */
export function startHost(dataDir: string, work: string, env: NodeJS.ProcessEnv): Host {
  const counted = startCounted(
    ['--expose-gc', ...TSX_IMPORT, 'bench/targets/metrics-host.ts', dataDir],
    join(work, 'host.out'),
    { cwd: ROOT, env, stdio: 'pipe' },
  );
  // Its stdout carries the apps' request logs too: only `host ` lines are answers.
  const next = lineReader(counted, (line) => (line.startsWith('host ') ? line.slice(5) : undefined));
  return {
    counted,
    async command(line) {
      counted.child.stdin!.write(`${line}\n`);
      const answer = await next();
      if (answer === undefined) throw new Error(`metrics-host ended before answering "${line}"`);
      return JSON.parse(answer) as Record<string, unknown>;
    },
    async stop() {
      const { child } = counted;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.stdin!.end();
        await exited;
      }
      return counted.stop();
    },
  };
}

/** `count` client_credentials requests (client_secret_basic), one at a time, each checked (200). */
export async function clientCredentials(issuer: string, client: Credentials, count: number): Promise<void> {
  const headers = { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' };
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers,
      body: 'grant_type=client_credentials&scope=api',
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`client_credentials answered ${response.status}`);
  }
}
