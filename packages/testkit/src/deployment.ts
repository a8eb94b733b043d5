/**
 * A running `sesame serve` with a user and a client made the way an operator makes them: through
 * the real CLI (`sesame users add`, `sesame clients add --json`) on the server's own store. The
 * process tests of the code flow, logout, ID tokens and crash safety each needed this and each
 * wrote it in their own words.
 */
import type { RunResult, Started } from './processes.js';
import { freePort, START_DEADLINE_MS } from './processes.js';
import { runSesame, startSesame, tempDir } from './sesame.js';

/** A user to add: `sesame users add USERNAME --password-stdin --scopes SCOPES`. */
export interface CliUser {
  username: string;
  password: string;
  scopes: string;
}

/** A client to add: `sesame clients add NAME --grant GRANTS --scopes SCOPES [--public] [--redirect-uri URI] ...ARGS --json`. */
export interface CliClientSpec {
  name: string;
  grants: string;
  scopes: string;
  public?: boolean;
  redirectUri?: string;
  /** More options of `clients add` (`--id-token-alg RS256`, `--backchannel-logout-uri URL`). */
  args?: readonly string[];
}

/** A client `sesame clients add --json` made: its id, and its secret unless public. */
export interface CliClient {
  id: string;
  secret?: string;
}

export interface DeploymentOptions {
  user: CliUser;
  client: CliClientSpec;
  /** The SQLite data dir: a fresh temporary one unless given (an older store to upgrade, say). */
  dataDir?: string;
  /**
   * Added to this process's environment (or, with `cleanEnv`, the whole environment) of the server
   * and the CLI. With SESAME_DATABASE_URL the store is that database and no data dir is used.
   */
  env?: Record<string, string | undefined>;
  cleanEnv?: boolean;
  /** More arguments of `sesame serve` (`--workers 1`). */
  serveArgs?: readonly string[];
  timeoutMs?: number;
}

export interface Deployment {
  /** The server started first; `serve()` starts another on the same port and store. */
  server: Started;
  port: number;
  /** http://127.0.0.1:PORT, also the issuer. */
  base: string;
  /** The SQLite data dir (undefined on a database). */
  dataDir: string | undefined;
  user: CliUser;
  client: CliClient;
  /** Runs `sesame <args>` on the same store and environment. */
  sesame(args: readonly string[], stdin?: string): Promise<RunResult>;
  /** Adds one more client through the CLI. */
  addClient(spec: CliClientSpec): Promise<CliClient>;
  /** Starts `sesame serve` again on the same port and store (after a stop or a kill). */
  serve(): Promise<Started>;
}

/**
 * Starts `sesame serve` on a free port and a fresh data dir (unless told otherwise), then adds the
 * user and the client through the CLI; throws with the CLI's message if either is refused.
 *
 * @example
 * const d = await startDeployment({
 *   user: { username: 'alice', password: 'alice password 1', scopes: 'openid' },
 *   client: { name: 'web', grants: 'authorization_code', scopes: 'openid', redirectUri: REDIRECT },
 * });
 * ... await d.server.stop();
 */
export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string | undefined> = {
    ...(options.cleanEnv ? {} : process.env),
    SESAME_LOG_LEVEL: 'warn',
    // The CLI signs logout tokens too: it names the server's issuer.
    SESAME_ISSUER: base,
    ...options.env,
  };
  const onDatabase = env.SESAME_DATABASE_URL !== undefined;
  const dataDir = onDatabase ? undefined : (options.dataDir ?? tempDir('sesame-deployment-'));
  const store = dataDir === undefined ? [] : ['--data-dir', dataDir];

  const sesame = (args: readonly string[], stdin = '') => {
    // Options go before a `--`: what follows it is operands (client ids may start with "-").
    const end = args.includes('--') ? args.indexOf('--') : args.length;
    return runSesame([...args.slice(0, end), ...store, ...args.slice(end)], { env, cleanEnv: true, stdin });
  };
  const ok = async (args: readonly string[], stdin = '') => {
    const result = await sesame(args, stdin);
    if (result.code !== 0) throw new Error(`sesame ${args.slice(0, 2).join(' ')}: ${result.stderr.trim()}`);
    return result.stdout;
  };
  const addClient = async (spec: CliClientSpec): Promise<CliClient> => {
    const made = JSON.parse(
      await ok([
        ...['clients', 'add', spec.name, '--grant', spec.grants, '--scopes', spec.scopes],
        ...(spec.public ? ['--public'] : []),
        ...(spec.redirectUri === undefined ? [] : ['--redirect-uri', spec.redirectUri]),
        ...(spec.args ?? []),
        '--json',
      ]),
    ) as { client_id: string; client_secret?: string };
    return { id: made.client_id, ...(made.client_secret ? { secret: made.client_secret } : {}) };
  };
  const serve = () =>
    startSesame({
      port,
      ...(dataDir === undefined ? {} : { dataDir }),
      env,
      cleanEnv: true,
      ...(options.serveArgs === undefined ? {} : { args: options.serveArgs }),
      timeoutMs: options.timeoutMs ?? START_DEADLINE_MS,
    });

  const server = await serve();
  try {
    const { user } = options;
    await ok(
      ['users', 'add', user.username, '--password-stdin', '--scopes', user.scopes],
      `${user.password}\n`,
    );
    const client = await addClient(options.client);
    return { server, port, base, dataDir, user, client, sesame, addClient, serve };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
