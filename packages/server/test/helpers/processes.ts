/**
 * Real `sesame` processes for the distributed tests: serve instances and CLI commands sharing one
 * PostgreSQL schema (through the URL's search_path) and one Redis key prefix, from the TypeScript
 * sources (@sesame/testkit starts them). Every process started by `serve` is killed in `stopAll()`.
 */
import { randomBytes } from 'node:crypto';
import { PG_URL, REDIS_URL, runSesame, type Started, startSesame, TEST_MASTER_KEY } from '@sesame/testkit';
import pg from 'pg';
/** The environment of one distributed deployment: its own schema and Redis prefix. */
export async function deployment(issuerPort: number) {
  const schema = `sesame_proc_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`create schema "${schema}"`);
  await client.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    SESAME_LOG_LEVEL: 'warn',
    SESAME_DATABASE_URL: url.toString(),
    SESAME_MASTER_KEY: TEST_MASTER_KEY,
    SESAME_REDIS_URL: REDIS_URL,
    SESAME_REDIS_KEY_PREFIX: `sesame-proc:${schema}:`,
    // One issuer for every instance: a token of A is a token of B.
    SESAME_ISSUER: `http://127.0.0.1:${issuerPort}`,
  };
  for (const name of Object.keys(env)) if (name.startsWith('SESAME_TEST_')) delete env[name];
  return {
    schema,
    env,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    },
  };
}

const running = new Set<Started>();

/** Runs `sesame <args>` to completion, in exactly the environment `env`. */
export function sesame(args: string[], env: Record<string, string>, input = '') {
  return runSesame(args, { env, cleanEnv: true, stdin: input });
}

/** Starts `sesame serve` on a port; resolves once it listens. `exit` resolves with its exit code. */
export async function serve(port: number, env: Record<string, string>, workers = 1) {
  const started = await startSesame({
    port,
    env,
    cleanEnv: true,
    args: ['--workers', String(workers)],
  });
  running.add(started);
  return { child: started.child, output: started.output, exit: started.exited.then(({ code }) => code) };
}

/** Kills every process started here (the test's cleanup, also after a failure). */
export function stopAll(): void {
  for (const { child } of running) if (child.exitCode === null) child.kill('SIGKILL');
  running.clear();
}
