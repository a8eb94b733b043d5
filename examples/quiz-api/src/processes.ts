import { fileURLToPath } from 'node:url';
import { runSesame, SOURCE_NODE_ARGS, type Started, sesameArgs, spawnNode } from '@sesame/testkit';

/**
 * Starting `sesame` and the quiz API as real processes, from the TypeScript sources (node with the
 * tsx loader and the `sesame-source` condition), for the dev command and the tests; the process
 * handling itself is @sesame/testkit's (a devDependency: the API in main.ts needs none of this).
 */
const QUIZ_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export type Spawned = Started;
export { waitForOk } from '@sesame/testkit';

/** `sesame serve` on the given port and data directory (not waiting: see untilReady). */
export function startSesame(options: { port: number; dataDir: string; inherit?: boolean }): Spawned {
  return spawnNode(
    [...sesameArgs(), 'serve', '--port', String(options.port), '--data-dir', options.dataDir],
    {
      env: { SESAME_ISSUER: `http://127.0.0.1:${options.port}` },
      inherit: options.inherit ?? false,
    },
  );
}

/** The quiz API, configured through its environment (see main.ts). */
export function startQuiz(env: Record<string, string>, inherit = false): Spawned {
  return spawnNode([...SOURCE_NODE_ARGS, QUIZ_MAIN], { env, inherit });
}

/** Runs a `sesame` command to completion and returns its stdout (throws on a non-zero exit). */
export async function sesame(args: readonly string[], input = ''): Promise<string> {
  const result = await runSesame(args, { stdin: input });
  if (result.code !== 0)
    throw new Error(`sesame ${args[0]} ${args[1] ?? ''} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
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
