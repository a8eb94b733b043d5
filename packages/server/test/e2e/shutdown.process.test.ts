/**
 * A graceful stop of the real `sesame serve` on SIGTERM: /readyz turns 503 (stopping) first while
 * requests are still served (shutdownDelay), then the port closes, the revocation feed's streams
 * end so guards reconnect elsewhere, and a request still in flight after shutdownGrace has its
 * connection closed so the stop ends.
 */
import { connect } from 'node:net';
import { eventually, freePort, runSesame, startSesame, tempDir } from '@sesame/testkit';
import { describe, expect, it } from 'vitest';

describe('sesame serve: stopping', () => {
  it('answers /readyz 503 stopping first and keeps serving during shutdownDelay', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // A delay far longer than the test: the stop is ended by a second signal below.
    const server = await startSesame({ port, dataDir: tempDir(), env: { SESAME_SHUTDOWN_DELAY: '5m' } });
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      server.child.kill('SIGTERM');
      await eventually(async () => (await fetch(`${base}/readyz`)).status === 503, 30_000);
      const ready = await fetch(`${base}/readyz`);
      expect(await ready.json()).toEqual({ status: 'stopping' });
      // Still serving what a client in the middle of a flow needs.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/.well-known/jwks.json`)).status).toBe(200);
      server.child.kill('SIGTERM');
      // A second signal ends the stop at once, as a failure (with workers, the primary kills them).
      const { code } = await server.exited;
      expect(code).toBe(1);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('ends the revocation streams and closes a request still in flight after shutdownGrace, then exits 0', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    const server = await startSesame({ port, dataDir, env: { SESAME_SHUTDOWN_GRACE: '1s' } });
    try {
      const feed = JSON.parse(
        (
          await runSesame([
            ...['clients', 'add', 'feed', '--grant', 'client_credentials', '--permission', 'revocations'],
            ...['--json', '--data-dir', dataDir],
          ])
        ).stdout,
      ) as { client_id: string; client_secret: string };
      const basic = `Basic ${Buffer.from(`${feed.client_id}:${feed.client_secret}`).toString('base64')}`;
      const stream = await fetch(`http://127.0.0.1:${port}/oauth/revocations/stream`, {
        headers: { authorization: basic, accept: 'text/event-stream' },
      });
      expect(stream.status).toBe(200);
      const streamEnded = stream.text().then(
        () => 'ended',
        () => 'ended',
      );

      // A request in flight for certain: its headers were read (the server answered 100 Continue)
      // and its body never comes.
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
      });
      const closed = new Promise<void>((done) => socket.on('close', () => done()));
      socket.write(
        'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
          'Content-Length: 100\r\nExpect: 100-continue\r\n\r\ngrant_type=',
      );
      await eventually(() => received.includes('100 Continue'), 30_000);

      server.child.kill('SIGTERM');
      expect(await streamEnded).toBe('ended');
      await closed;
      const { code } = await server.exited;
      expect(code).toBe(0);
      expect(server.output()).toContain('requests still in flight: closing their connections');
    } finally {
      await server.stop();
    }
  }, 90_000);
});
