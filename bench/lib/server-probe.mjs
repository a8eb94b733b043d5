/**
 * A preload for the `sesame serve` process that `npm run bench:capacity` measures
 * (`node --expose-gc --import ./bench/lib/server-probe.mjs …`): it counts, inside the server, what a
 * request costs, and writes the counters to `BENCH_PROBE_FILE` on SIGUSR2 (lib/probe.ts reads them).
 *
 * - HTTP requests started and finished (node:diagnostics_channel, no change to the server), and the
 *   bytes written to the sockets of open revocation-feed streams (HTTP chunk framing included).
 * - PostgreSQL: every statement `pg` sends (Client#query, which Kysely's driver and the pool go
 *   through), transactions as the client sees them (BEGIN … COMMIT/ROLLBACK, or one statement on its
 *   own), and connection-busy time: from a transaction's BEGIN (or a lone statement) being sent to its
 *   end being answered — the time a pooled connection is held for the store's work.
 *   pg_stat_statements is not loaded on the bench machine, so statements are counted here.
 * - Redis: every command ioredis sends (Redis#sendCommand), by name.
 * - CPU (process.cpuUsage: utime + stime, microseconds) and memory, after a full GC when the process
 *   was started with --expose-gc.
 * Plain JavaScript so that no TypeScript loader runs inside the measured process.
 */
import dc from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const target = process.env.BENCH_PROBE_FILE;
// The server's own copies: the workspace hoists pg and ioredis to the root's node_modules.
const require = createRequire(join(process.cwd(), 'package.json'));

const http = { started: 0, finished: 0, streamsOpened: 0, streamBytesClosed: 0 };
const streams = new Set();
const pg = { statements: 0, transactions: 0, busyMicros: 0 };
const redis = {};
let seq = 0;

dc.subscribe('http.server.request.start', ({ request, response, socket }) => {
  http.started++;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    http.finished++;
  };
  response.once('finish', finish);
  response.once('close', finish);
  if (request.url?.startsWith('/oauth/revocations/stream')) {
    http.streamsOpened++;
    streams.add(socket);
    socket.once('close', () => {
      streams.delete(socket);
      http.streamBytesClosed += socket.bytesWritten;
    });
  }
});

const micros = () => Number(process.hrtime.bigint() / 1000n);

try {
  const { Client } = require('pg');
  const query = Client.prototype.query;
  Client.prototype.query = function countedQuery(config, ...rest) {
    const text = (typeof config === 'string' ? config : (config?.text ?? ''))
      .trimStart()
      .slice(0, 8)
      .toLowerCase();
    pg.statements++;
    const opens = text.startsWith('begin') || text.startsWith('start');
    const closes = text.startsWith('commit') || text.startsWith('rollback');
    if (opens) this.__benchSince = micros();
    const since = this.__benchSince ?? micros();
    const ends = closes || this.__benchSince === undefined;
    const result = query.call(this, config, ...rest);
    if (ends) {
      this.__benchSince = undefined;
      const end = () => {
        pg.transactions++;
        pg.busyMicros += micros() - since;
      };
      if (result && typeof result.then === 'function') result.then(end, end);
      else end();
    }
    return result;
  };
} catch {
  // SQLite mode: no pg in this process
}

try {
  const Redis = require('ioredis');
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function countedCommand(command, ...rest) {
    const name = String(command?.name ?? '?').toLowerCase();
    redis[name] = (redis[name] ?? 0) + 1;
    return send.call(this, command, ...rest);
  };
} catch {
  // no Redis client installed
}

if (target !== undefined) {
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    let streamBytes = http.streamBytesClosed;
    for (const socket of streams) streamBytes += socket.bytesWritten;
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const snapshot = {
      seq: ++seq,
      cpuMicros: cpu.user + cpu.system,
      http: { ...http, inFlight: http.started - http.finished, openStreams: streams.size, streamBytes },
      pg: { ...pg },
      redis: { ...redis },
      memory: { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external },
      gc: typeof globalThis.gc === 'function',
    };
    writeFileSync(target, JSON.stringify(snapshot));
  });
}
