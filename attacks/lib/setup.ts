import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from './deployment.js';
import { PLAYER } from './deployment.js';
import {
  freePort,
  type Spawned,
  sesame,
  sesameJson,
  startQuiz,
  startSesame,
  waitForOk,
} from './processes.js';
import type { Report } from './report.js';

/** What every attack category is given. */
export interface Context {
  report: Report;
  /** The deployment under attack: ES256 keys rotated twice (so one is retired), refresh grace 0. */
  main: Deployment;
  /**
   * A second, independent deployment (own keys, own issuer) whose access tokens live 10 s: the
   * source of genuinely expired tokens, of tokens from another issuer, and of the leaked-key
   * simulation (its key is read from its data dir; it is a throwaway server).
   */
  other: Deployment;
  /** Started processes and temp dirs, stopped and removed at the end whatever happens. */
  cleanup: Array<() => Promise<void> | void>;
}

export interface DeploymentOptions {
  /** SESAME_* settings of the server. */
  env?: Record<string, string>;
  /** `sesame keys rotate` runs before the first start. */
  rotations?: number;
  /** Start the quiz API (default true; the HS-mode attack runs its own in-process). */
  quiz?: boolean;
}

/**
 * Starts one deployment the way an operator would: a temp data dir, `sesame serve` on a free port,
 * clients and a user made with the CLI while it runs, then the quiz API following its feed.
 */
export async function startDeployment(
  name: string,
  cleanup: Context['cleanup'],
  options: DeploymentOptions = {},
): Promise<Deployment> {
  const dataDir = mkdtempSync(join(tmpdir(), `sesame-attacks-${name}-`));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const dir = ['--data-dir', dataDir];
  if ((options.rotations ?? 0) > 0) {
    // `keys rotate` works on an existing store only: make it first, as an operator would.
    const made = await sesame(['migrate', ...dir]);
    if (made.code !== 0) throw new Error(`${name}: migrate failed: ${made.stderr.trim()}`);
  }
  for (let i = 0; i < (options.rotations ?? 0); i++) {
    const rotated = await sesame(['keys', 'rotate', ...dir]);
    if (rotated.code !== 0) throw new Error(`${name}: keys rotate failed: ${rotated.stderr.trim()}`);
  }
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const server = startSesame(port, dataDir, options.env);
  cleanup.push(() => server.stop());
  await waitForOk(`${issuer}/healthz`, server);

  const feed = await sesameJson<Deployment['feed']>([
    // The guard's feed client, also the resource server that introspects every token put to it.
    ...['clients', 'add', `${name} feed`, '--grant', 'client_credentials'],
    ...['--permission', 'introspect,revocations', ...dir],
  ]);
  const app = await sesameJson<{ client_id: string }>([
    ...['clients', 'add', `${name} quiz app`, '--public', '--grant', 'password,refresh_token'],
    // aud quiz-api for the guard, and Sesame's own audience so /userinfo (one of the three
    // verifiers every token is put to) accepts the genuine tokens too.
    ...['--scopes', 'openid quiz admin', '--audience', 'quiz-api sesame', ...dir],
  ]);
  const user = await sesame(
    ['users', 'add', PLAYER.username, '--password-stdin', '--scopes', 'openid quiz', ...dir],
    `${PLAYER.password}\n`,
  );
  const userId = /\(id ([^,]+),/.exec(user.stdout)?.[1];
  if (user.code !== 0 || userId === undefined) throw new Error(`${name}: users add: ${user.stderr.trim()}`);

  const deployment: Deployment = {
    ...{ name, issuer, api: '', dataDir, appClientId: app.client_id, feed, userId },
    serverLog: (pattern, ms) => logged(server, pattern, ms),
  };
  if (options.quiz !== false) deployment.api = await startQuizFor(deployment, cleanup);
  return deployment;
}

/** Resolves true when `process` has printed a match for `pattern` (checked on each output), false after `ms`. */
function logged(process: Spawned, pattern: RegExp, ms: number): Promise<boolean> {
  const streams = [process.child.stdout, process.child.stderr].filter((s) => s !== null);
  return new Promise((resolve) => {
    const finish = (found: boolean) => {
      clearTimeout(timer);
      for (const stream of streams) stream.off('data', check);
      resolve(found);
    };
    // The kept output is appended by the process's own listener, added before this one.
    const check = () => {
      if (pattern.test(process.output())) finish(true);
    };
    const timer = setTimeout(() => finish(false), ms);
    for (const stream of streams) stream.on('data', check);
    check();
  });
}

/** The quiz API for a deployment, as a process following the deployment's revocation feed. */
async function startQuizFor(d: Deployment, cleanup: Context['cleanup']): Promise<string> {
  const port = await freePort();
  const quiz: Spawned = startQuiz({
    SESAME_ISSUER: d.issuer,
    QUIZ_PORT: String(port),
    QUIZ_FEED_CLIENT_ID: d.feed.client_id,
    QUIZ_FEED_CLIENT_SECRET: d.feed.client_secret,
  });
  cleanup.push(() => quiz.stop());
  const api = `http://127.0.0.1:${port}`;
  await waitForOk(`${api}/questions`, quiz);
  return api;
}

/** Runs the cleanup steps in reverse order, never throwing (a failed step must not hide the report). */
export async function runCleanup(cleanup: Context['cleanup']): Promise<void> {
  for (const step of cleanup.reverse()) {
    try {
      await step();
    } catch {
      // best effort: the next steps still run
    }
  }
}

/** Milliseconds to wait for `at` (epoch ms) to have passed. */
export async function waitUntil(at: number): Promise<void> {
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
