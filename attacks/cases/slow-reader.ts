import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { basic, type Deployment } from '../lib/deployment.js';
import { type Context, startDeployment } from '../lib/setup.js';

const CATEGORY = 'slow reader';
/** Entries appended in the burst, each ~1 KiB on the wire: far more than socket buffers hold. */
const BURST = 24_000;
/**
 * Deadlines for what must happen, never waits standing in for it: the reader's whole burst, and the
 * cut of the stalled stream, which the server makes at the second heartbeat (15 s apart) it spends
 * waiting for that reader to take a page.
 */
const READ_MS = 60_000;
const CUT_MS = 60_000;

/**
 * Memory exhaustion through the revocation stream: a feed client (a stalled guard, or an attacker
 * with a guard's credentials) opens /oauth/revocations/stream and stops reading. Every revocation
 * fanned out to it then waits in the server's memory for a reader that never comes; a burst of
 * revocations (a mass log-out) would grow it without bound. The server must hold no more than a
 * page for it and cut that stream, while a guard that reads, however slowly under load, keeps its
 * stream and gets every entry.
 * Runs on a deployment of its own, whose store receives the burst directly (as `sesame` commands
 * or another instance would write it).
 */
export async function slowReaderAttacks(ctx: Context): Promise<void> {
  const d = await startDeployment('slow reader', ctx.cleanup, { quiz: false });
  const stalled = await openStream(d);
  const reader = await openStream(d);
  // Both are following the feed: one entry reaches both before the stalled one stops reading.
  await append(d, 1);
  await Promise.all([stalled.events(1), reader.events(1)]);
  stalled.socket.pause();

  await append(d, BURST);
  const all = await reader.events(BURST + 1, READ_MS).then(
    () => true,
    () => false,
  );
  ctx.report.check(
    CATEGORY,
    'a stream that reads keeps going and receives every entry of the burst',
    all && !reader.closed(),
    `${reader.count()} of ${BURST + 1} events`,
  );
  // A paused socket sees no end of stream: the server says when it cuts one. Then read again: cut,
  // it gets what the kernel held for it and then the end; not cut, it gets the whole burst from
  // the server, and the stream stays open.
  const logged = await d.serverLog(/revocation stream closed/, CUT_MS);
  stalled.socket.resume();
  const cut = await stalled.closedWithin(CUT_MS);
  ctx.report.check(
    CATEGORY,
    'a stream whose reader stopped reading is cut by the server, its backlog dropped',
    logged && cut && stalled.count() < BURST + 1,
    `${stalled.count()} of ${BURST + 1} events, ${cut ? 'closed' : 'still open'}, ${logged ? '' : 'no '}cut logged`,
  );
  const health = await fetch(`${d.issuer}/healthz`).then((r) => r.status);
  ctx.report.check(CATEGORY, 'the server still answers after the burst', health === 200, `status ${health}`);
  stalled.socket.destroy();
  reader.socket.destroy();
}

/**
 * Writes `count` jti entries straight into the store, a few hundred per transaction: this process
 * also reads the streams, and a long synchronous write would stall its own reader.
 */
async function append(d: Deployment, count: number): Promise<void> {
  const db = new Database(join(d.dataDir, 'sesame.db'), { fileMustExist: true, timeout: 10_000 });
  try {
    const now = Date.now();
    const insert = db.prepare(
      'INSERT INTO revocations (kind, value, issued_before, expires_at, created_at) VALUES (?, ?, NULL, ?, ?)',
    );
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) insert.run('jti', `burst-${i}-${'x'.repeat(1000)}`, now + 600_000, now);
    });
    for (let from = 0; from < count; from += 200) {
      batch(from, Math.min(count, from + 200));
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    db.close();
  }
}

/** A raw HTTP/1.1 stream request, so that reading can be stopped at the socket. */
async function openStream(d: Deployment) {
  const { hostname, port } = new URL(d.issuer);
  const socket: Socket = connect(Number(port), hostname);
  const MARK = '\nevent: revocation\n';
  // Events counted as they arrive; the last few characters are carried over in case a marker is
  // cut between two chunks (a carry shorter than the marker cannot hold a whole one).
  let carry = '';
  let counted = 0;
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const text = carry + chunk;
    counted += text.split(MARK).length - 1;
    carry = text.slice(-(MARK.length - 1));
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const { client_id, client_secret } = d.feed;
  socket.write(
    `GET /oauth/revocations/stream HTTP/1.1\r\nhost: ${hostname}:${port}\r\n` +
      `authorization: ${basic(client_id, client_secret)}\r\naccept: text/event-stream\r\n\r\n`,
  );
  const until = (done: () => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) finish(resolve);
        else if (closed) finish(() => reject(new Error('the stream closed')));
      };
      const timer = setTimeout(() => finish(() => reject(new Error('timed out'))), ms);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });
  return {
    socket,
    count: () => counted,
    closed: () => closed,
    events: (n: number, ms = 10_000) => until(() => counted >= n, ms),
    closedWithin: (ms: number) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(closed), ms);
        const check = () => {
          if (!closed) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(true);
        };
        waiters.add(check);
        check();
      }),
  };
}
