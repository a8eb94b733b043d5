import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Starting `sesame` and the quiz API as real processes, from the TypeScript sources (node with the
 * tsx loader and the `sesame-source` condition), for the dev command and the tests.
 */
const SESAME_MAIN = fileURLToPath(new URL('../../../packages/server/src/cli/main.ts', import.meta.url));
const QUIZ_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const NODE_ARGS = ['--conditions=sesame-source', '--import', TSX];

export interface Spawned {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

function start(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
  inherit: boolean,
): Spawned {
  const child = spawn(process.execPath, [...NODE_ARGS, entry, ...args], {
    env: { ...process.env, ...env },
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `sesame serve` on the given port and data directory. */
export function startSesame(options: { port: number; dataDir: string; inherit?: boolean }): Spawned {
  return start(
    SESAME_MAIN,
    ['serve', '--port', String(options.port), '--data-dir', options.dataDir],
    { SESAME_ISSUER: `http://127.0.0.1:${options.port}` },
    options.inherit ?? false,
  );
}

/** The quiz API, configured through its environment (see main.ts). */
export function startQuiz(env: Record<string, string>, inherit = false): Spawned {
  return start(QUIZ_MAIN, [], env, inherit);
}

/** Runs a `sesame` command to completion and returns its stdout (throws on a non-zero exit). */
export function sesame(args: readonly string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, SESAME_MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`sesame ${args[0]} ${args[1] ?? ''} exited ${code}: ${stderr.trim()}`));
    });
    child.stdin.end(input);
  });
}

/**
 * Waits for `ready` in a process's output (piped, not inherited) and then relays the output to this
 * process's own stdout; resolves with what it printed until then. Rejects with the process's last
 * output line if it exits first, so a server that could not start (a port in use) is told in its
 * own words, and a caller never goes on against whatever else answers on that port.
 *
 * @example const banner = await untilReady(startSesame({ port, dataDir }), 'sesame listening');
 */
export function untilReady(spawned: Spawned, ready: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { child } = spawned;
    const check = () => {
      const text = spawned.output();
      if (!text.includes(ready)) return;
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', exited);
      child.stdout?.on('data', (chunk: string) => process.stdout.write(chunk));
      child.stderr?.on('data', (chunk: string) => process.stderr.write(chunk));
      resolve(text);
    };
    const exited = () => {
      const lines = spawned.output().trim().split('\n');
      reject(new Error(lines.at(-1) || `exited (${child.exitCode ?? child.signalCode})`));
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', exited);
  });
}

/** Waits until `url` answers 200 (a process coming up), or fails after `timeoutMs`. */
export async function waitForOk(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
