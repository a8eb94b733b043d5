/**
 * Debian's haproxy in front of several `sesame serve` instances, for `npm run bench:scaleout`: a
 * config written into a temporary dir, haproxy started in the foreground (`-db`) as a child of the
 * benchmark and killed after. Round robin over the instances, health checks on /readyz, and retries
 * that are honest about what may be replayed (see `retryRules`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killOnExit } from './processes.js';

export const HAPROXY_INSTALL = 'apt-get install -y haproxy';

/** The haproxy binary, or a one-line error naming the command that installs it. */
export function haproxyBinary(): string {
  for (const path of ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy']) {
    try {
      execFileSync(path, ['-v'], { stdio: 'ignore' });
      return path;
    } catch {
      // not here
    }
  }
  throw new Error(`haproxy is not installed: run \`${HAPROXY_INSTALL}\` (Debian's package) and try again`);
}

/**
 * Which requests haproxy may send again to another instance once the first one got the request and
 * died before answering (`retry-on empty-response`). A connection that failed before the request
 * was sent (`conn-failure`) is always retried: no instance saw it.
 * - `safe`: only introspection (a read) and refresh_token grants. A refresh replayed within the
 *   grace window gets the SAME successor (it is derived from the presented token), whether or not
 *   the dead instance had committed the rotation. Every other POST (client_credentials, codes,
 *   passwords, revocation) is not replayed: its in-flight requests fail with a 502 and the client
 *   decides (a replayed code exchange would count as code reuse).
 * - `none`: no replay at all, only connection failures are retried.
 */
export type RetryRules = 'safe' | 'none';

export interface Backend {
  name: string;
  port: number;
}

export interface HaproxyOptions {
  servers: readonly Backend[];
  retryRules: RetryRules;
  /** One log line per request on haproxy's stdout (for the kill test), in LOG_FORMAT. */
  log?: boolean;
}

/**
 * Per request: accept time (epoch ms), server, status, retries (`+` when redispatched), total
 * active time (ms), termination state, method and path.
 */
export const LOG_FORMAT = '%Ts%ms %s %ST %rc %Ta %tsc %HM %HP';

function config(options: HaproxyOptions, port: number, socket: string): string {
  const replay =
    options.retryRules === 'safe'
      ? [
          '  acl introspection path /oauth/introspect',
          '  acl token path /oauth/token',
          '  acl refresh req.body_param(grant_type) -m str refresh_token',
          // L7 retries (empty-response) are kept only for the requests that are safe to replay.
          '  http-request disable-l7-retry if !introspection !token',
          '  http-request disable-l7-retry if token !refresh',
        ]
      : ['  http-request disable-l7-retry'];
  return [
    'global',
    '  maxconn 4096',
    `  stats socket ${socket} mode 600 level admin`,
    ...(options.log ? ['  log stdout format raw local0 info'] : []),
    'defaults',
    '  mode http',
    ...(options.log ? ['  log global', `  log-format "${LOG_FORMAT}"`] : []),
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    // A loaded shared machine may answer /readyz slowly: a slow check is not a dead instance (a
    // killed one refuses connections at once, and those requests are redispatched anyway).
    '  timeout check 5s',
    // Three attempts; each retry goes to another instance (redispatch on every retry).
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    // The request body must be buffered for a replay and for req.body_param.
    '  option http-buffer-request',
    'frontend sesame',
    `  bind 127.0.0.1:${port}`,
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    ...replay,
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server check inter 1s fall 3 rise 2',
    ...options.servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port}`),
    '',
  ].join('\n');
}

export interface Haproxy {
  url: string;
  /** Every log line so far (with `log`). */
  logLines(): string[];
  /** `show stat` over the stats socket: per server, current sessions (`scur`) and status. */
  serverStats(): Promise<Map<string, { scur: number; status: string }>>;
  stop(): Promise<void>;
}

async function ready(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output().trim()}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`haproxy did not become ready: ${output().trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Writes the config, starts haproxy in the foreground and waits until it routes to an instance. */
export async function startHaproxy(options: HaproxyOptions): Promise<Haproxy> {
  const binary = haproxyBinary();
  const dir = mkdtempSync(join(tmpdir(), 'sesame-haproxy-'));
  const socket = join(dir, 'stats.sock');
  const port = await freePort();
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config(options, port, socket));
  execFileSync(binary, ['-c', '-q', '-f', file]);
  const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let errors = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-8192);
  });
  const guard = killOnExit(child.pid!);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    guard.forget();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await ready(url, child, () => errors);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    logLines: () => [...lines],
    serverStats: () => showStat(socket),
    stop,
  };
}

function showStat(socket: string): Promise<Map<string, { scur: number; status: string }>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const client = connect(socket, () => client.end('show stat\n'));
    client.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    client.once('error', reject);
    client.once('close', () => {
      const [header, ...rows] = text.trim().split('\n');
      const names = header!.replace(/^# /, '').split(',');
      const column = (name: string) => names.indexOf(name);
      const out = new Map<string, { scur: number; status: string }>();
      for (const row of rows) {
        const cells = row.split(',');
        if (cells[column('pxname')] !== 'instances') continue;
        out.set(cells[column('svname')]!, {
          scur: Number(cells[column('scur')]),
          status: cells[column('status')]!,
        });
      }
      resolve(out);
    });
  });
}
