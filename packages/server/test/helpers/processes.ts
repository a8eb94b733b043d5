/**
 * Real `sesame` processes for the distributed tests: serve instances and CLI commands sharing one
 * PostgreSQL schema (through the URL's search_path) and one Redis key prefix, from the TypeScript
 * sources as the other process tests run them. Every spawned process is killed in `stopAll()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { PG_URL, REDIS_URL, TEST_MASTER_KEY } from './services.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MAIN = resolve(HERE, '../../src/cli/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const NODE_ARGS = ['--conditions=sesame-source', '--import', TSX, MAIN];

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

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

const running = new Set<ChildProcess>();

/** Runs `sesame <args>` to completion. */
export function sesame(args: string[], env: Record<string, string>, input = '') {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Starts `sesame serve` on a port; resolves once it listens. */
export function serve(port: number, env: Record<string, string>, workers = 1) {
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, 'serve', '--port', String(port), '--workers', String(workers)],
    {
      env,
    },
  );
  running.add(child);
  let output = '';
  const exit = new Promise<number | null>((done) => child.on('close', done));
  return new Promise<{ child: ChildProcess; output: () => string; exit: Promise<number | null> }>(
    (done, fail) => {
      child.stderr!.on('data', (chunk) => (output += chunk));
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        if (output.includes('sesame listening')) done({ child, output: () => output, exit });
      });
      exit.then((code) => fail(new Error(`serve exited ${code}: ${output}`)));
    },
  );
}

/** Kills every process started here (the test's cleanup, also after a failure). */
export function stopAll(): void {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  running.clear();
}

/** Polls `check` until it holds, or fails after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}
