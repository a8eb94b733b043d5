/**
 * `sesame serve --workers N` as a real process group: start-up and shutdown races. A worker that
 * stopped while the others were still starting once crashed the primary with an unhandled EPIPE
 * (cluster answered a dead worker's listen request); a Ctrl-C made every worker exit 1 (it got the
 * terminal's SIGINT and the primary's SIGTERM). Workers run from the sources, as in serve.process.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Started, spawnSesame, untilPrinted } from '@sesame/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { isGoneWorkerError, stopGate } from '../../src/cli/workers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sesame-workers-'));
const groups: Started[] = [];

/** `sesame serve --workers N` as the leader of its own process group (a terminal's job). */
function serveGroup(port: number, workers: number) {
  const started = spawnSesame({ port, dataDir, args: ['--workers', String(workers)], detached: true });
  groups.push(started);
  const listening = () => untilPrinted(started, 'sesame listening');
  /** Ctrl-C: the signal goes to every process of the group. */
  const signalGroup = (signal: NodeJS.Signals) => process.kill(-started.pid, signal);
  return { ...started, exit: started.exited, listening, signalGroup };
}

afterAll(() => {
  for (const { child } of groups) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('isGoneWorkerError', () => {
  it('takes EPIPE and a closed IPC channel for a worker that is gone', () => {
    expect(isGoneWorkerError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    expect(isGoneWorkerError(Object.assign(new Error('closed'), { code: 'ERR_IPC_CHANNEL_CLOSED' }))).toBe(
      true,
    );
  });
  it('does not take other errors for one', () => {
    expect(isGoneWorkerError(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toBe(false);
    expect(isGoneWorkerError(new Error('plain'))).toBe(false);
    expect(isGoneWorkerError(undefined)).toBe(false);
  });
});

describe("stopGate (the primary's stop decisions)", () => {
  it("takes the group's copy of a Ctrl-C, after a worker died of it while starting, for the same stop", () => {
    const gate = stopGate();
    expect(gate.internal()).toBe('stop'); // a worker still loading was killed by the SIGINT
    expect(gate.signal()).toBe('ignore'); // the primary's own copy of that SIGINT, handled later
    expect(gate.signal()).toBe('kill'); // a second Ctrl-C: stop now
  });
  it('stops on the first signal and kills on the second', () => {
    const gate = stopGate();
    expect(gate.stopping).toBe(false);
    expect(gate.signal()).toBe('stop');
    expect(gate.stopping).toBe(true);
    expect(gate.internal()).toBe('ignore'); // a worker dying of that signal afterwards
    expect(gate.signal()).toBe('kill');
  });
});

describe('sesame serve --workers (process group)', () => {
  it('keeps idle workers serving, and a Ctrl-C stops every process with exit 0', async () => {
    const port = await freePort();
    const server = serveGroup(port, 3);
    await server.listening();
    // Idle for a while: a worker whose IPC channel no longer held it would have drained out.
    await new Promise((r) => setTimeout(r, 1500));
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status)),
    );
    expect(answers.every((status) => status === 200)).toBe(true);
    server.signalGroup('SIGINT');
    const { code } = await server.exit;
    expect(code, server.output()).toBe(0);
    expect(server.output()).not.toMatch(/again|EPIPE|exited \(|Error/);
  }, 60_000);

  it('stops cleanly when the group is signalled at any moment of the start', async () => {
    for (const delay of [300, 900, 1600, 2400, 3200]) {
      const server = serveGroup(await freePort(), 3);
      await new Promise((r) => setTimeout(r, delay));
      server.signalGroup(delay % 2 ? 'SIGTERM' : 'SIGINT');
      const { code, signal } = await server.exit;
      // A primary dies by the signal only before it set its handlers (still loading) or once its
      // last worker is gone and it is exiting; otherwise any order of arrival ends in exit 0.
      if (signal === null) expect(code, server.output()).toBe(0);
      expect(server.output()).not.toMatch(/EPIPE|stopped while starting|Unhandled|Error/);
    }
  }, 90_000);

  it('a worker that cannot start makes the primary exit 5 (cannot serve), without hanging or crashing', async () => {
    const port = await freePort();
    const taken: Server = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    try {
      const server = serveGroup(port, 2);
      const { code } = await server.exit;
      expect(code, server.output()).toBe(5);
      // The workers' failure, printed once by the primary (port-in-use.process.test.ts has the line).
      expect(server.output()).toMatch(
        /^error ERR_PORT_IN_USE: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/,
      );
      expect(server.output().trim().split('\n')).toHaveLength(1);
      expect(server.output()).not.toMatch(/EPIPE|Unhandled/);
    } finally {
      taken.close();
    }
  }, 60_000);
});
