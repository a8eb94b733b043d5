/**
 * The real Sesame server for the benchmarks and the soak: the built CLI (`packages/server/dist`)
 * running `sesame serve` on a free port over a temporary data dir, with its default configuration
 * (ES256, 15-minute tokens, log level info — its logs go to a file, as a deployment's would go to
 * a collector). Clients and users are made with the CLI, as an operator would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runNode, type Started, startNode } from './processes.js';

export const SESAME_CLI = 'packages/server/dist/cli/main.js';

export interface SesameProcess extends Started {
  issuer: string;
  dataDir: string;
  logFile: string;
  /** Runs a CLI command on the same data dir (`--data-dir` is added). */
  cli(args: readonly string[], stdin?: string): Promise<string>;
  /** Stops the server and deletes the data dir. */
  dispose(): Promise<void>;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

/** Only the SESAME_* variables we set: a stray one in the caller's environment must not change the run. */
function cleanEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const name of Object.keys(process.env)) if (name.startsWith('SESAME_')) env[name] = undefined;
  return { ...env, ...extra };
}

let workersFlag: Promise<boolean> | undefined;

/** True when this build's `sesame serve` takes `--workers` (node:cluster workers sharing the port). */
export function supportsWorkers(): Promise<boolean> {
  workersFlag ??= runNode([SESAME_CLI, 'serve', '--help']).then((help) => help.includes('--workers'));
  return workersFlag;
}

/**
 * Starts `sesame serve`. `workers` (default 1) is passed as `--workers N` when the build has the
 * flag: one process, like every other target of the benchmarks, unless asked otherwise (the
 * server's own default is one worker per core).
 */
export async function startSesame(
  options: { workers?: number; env?: Record<string, string>; nodeArgs?: readonly string[] } = {},
): Promise<SesameProcess & { workers: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sesame-bench-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const logFile = join(dataDir, 'server.log');
  const env = cleanEnv(options.env ?? {});
  const cli = (args: readonly string[], stdin?: string) =>
    runNode([SESAME_CLI, ...args, '--data-dir', dataDir], {
      env: env as Record<string, string>,
      stdin,
    });
  const count = options.workers ?? 1;
  const hasFlag = await supportsWorkers();
  if (!hasFlag && count !== 1) throw new Error('this build of sesame serve has no --workers');
  const workers = hasFlag ? ['--workers', String(count)] : [];
  const started = await startNode({
    name: 'sesame serve',
    args: [
      ...(options.nodeArgs ?? []),
      SESAME_CLI,
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...workers,
    ],
    env,
    logFile,
    readyUrl: `${issuer}/readyz`,
  });
  return {
    ...started,
    workers: count,
    issuer,
    dataDir,
    logFile,
    cli,
    async dispose() {
      await started.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `sesame clients add NAME --json ...`: the new client's credentials. */
export async function addClient(
  sesame: Pick<SesameProcess, 'cli'>,
  name: string,
  grants: string,
  scopes: string,
  extra: readonly string[] = [],
): Promise<Credentials> {
  const out = JSON.parse(
    await sesame.cli(['clients', 'add', name, '--grant', grants, '--scopes', scopes, '--json', ...extra]),
  ) as { client_id: string; client_secret: string };
  return { clientId: out.client_id, clientSecret: out.client_secret };
}

/** `sesame users add NAME --password-stdin --scopes ...`. */
export async function addUser(
  sesame: Pick<SesameProcess, 'cli'>,
  username: string,
  password: string,
  scopes: string,
): Promise<void> {
  await sesame.cli(['users', 'add', username, '--password-stdin', '--scopes', scopes], `${password}\n`);
}

/** The RFC 6749 §2.3.1 Basic header (id and secret form-urlencoded first). */
export function basic(credentials: Credentials): string {
  const form = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${form(credentials.clientId)}:${form(credentials.clientSecret)}`).toString('base64')}`;
}

/** POSTs a form to the server and returns the JSON answer; throws on another status than 200. */
export async function postForm(
  url: string,
  form: Record<string, string>,
  authorization?: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}
