/**
 * The open Server-Sent Events streams of the revocation feed, each a subscriber of the revocation
 * hub (domain/tokens/revocation-hub.ts). A stream reads its next page only once the socket has
 * taken the last one (the hub paces a backed-up stream, even in a burst), so a slow reader holds
 * about one page. A guard that stops reading (stalled, or an attacker holding the connection open)
 * is disconnected, its buffer dropped, when it has taken nothing through two heartbeats in a row,
 * or at once if it holds more than `bufferLimit` unsent bytes. A guard resumes from the last event
 * id it received (HTML Standard §9.2.4), so a closed stream loses nothing.
 */
import type { ServerResponse } from 'node:http';
import { type HubTimers, type RevocationHub, realTimers } from '../../domain/tokens/revocation-hub.js';
import type { Revocation } from '../../store/types.js';

export interface FeedStreamsOptions {
  hub: RevocationHub;
  /** One entry as an SSE event; computed once per entry, whatever the number of streams. */
  frame: (entry: Revocation) => string;
  /** Unsent bytes a stream may hold before it is closed (default 1 MiB: thousands of entries). */
  bufferLimit?: number;
  /**
   * A comment line this often keeps proxies from closing an idle stream (default 15 s). A stream
   * still waiting for its reader to take a page at two heartbeats in a row is closed.
   */
  heartbeatMs?: number;
  timers?: HubTimers;
}

/** What a stream writes to: an HTTP response taken over from the framework. */
export type FeedSocket = Pick<
  ServerResponse,
  'writeHead' | 'write' | 'end' | 'destroy' | 'writableLength' | 'once' | 'on' | 'off'
>;

export interface FeedStreams {
  /** Starts streaming entries after `since` to `socket`; `warn` hears why a stream was cut. */
  open(socket: FeedSocket, since: number, warn: (message: string, error?: unknown) => void): void;
  /** Ends every open stream (the server is closing). */
  closeAll(): void;
  /** Open streams. */
  readonly size: number;
}

export const DEFAULT_BUFFER_LIMIT = 1024 * 1024;

const HEARTBEAT = ': heartbeat\n\n';

/**
 * @example
 * const streams = createFeedStreams({ hub, frame: (e) => `id: ${e.seq}\n...\n\n` });
 * reply.hijack(); streams.open(reply.raw, cursor, (message) => request.log.warn(message));
 */
export function createFeedStreams(options: FeedStreamsOptions): FeedStreams {
  const { hub } = options;
  const limit = options.bufferLimit ?? DEFAULT_BUFFER_LIMIT;
  const timers = options.timers ?? realTimers;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const open = new Set<{ beat(): void; end(): void }>();
  // Entry objects of one poll are shared by every stream: each is framed once.
  const frames = new WeakMap<Revocation, string>();
  let heartbeat: unknown;

  const frameOf = (entry: Revocation) => {
    let text = frames.get(entry);
    if (text === undefined) {
      text = options.frame(entry);
      frames.set(entry, text);
    }
    return text;
  };

  function openStream(socket: FeedSocket, since: number, warn: (message: string, error?: unknown) => void) {
    let closed = false;
    let unsubscribe: (() => void) | undefined;
    const waiting = new Set<() => void>();
    /** Heartbeats in a row at which the stream was waiting for its reader to take a page. */
    let stalledBeats = 0;
    const finish = (how: 'end' | 'destroy') => {
      if (closed) return;
      closed = true;
      unsubscribe?.();
      open.delete(stream);
      if (open.size === 0 && heartbeat !== undefined) {
        timers.clearInterval(heartbeat);
        heartbeat = undefined;
      }
      for (const resume of waiting) resume();
      waiting.clear();
      // destroy drops what the socket still holds; end would keep it until the reader takes it.
      if (how === 'destroy') socket.destroy();
      else socket.end();
    };
    const write = (text: string): boolean => {
      if (closed) return false;
      const ready = socket.write(text);
      if (socket.writableLength > limit) {
        warn(`revocation stream closed: the reader left more than ${limit} bytes unread`);
        finish('destroy');
        return false;
      }
      return ready;
    };
    const beat = () => {
      stalledBeats = waiting.size > 0 ? stalledBeats + 1 : 0;
      if (stalledBeats < 2) {
        write(HEARTBEAT);
        return;
      }
      warn(`revocation stream closed: the reader took nothing for ${heartbeatMs / 1000} s or more`);
      finish('destroy');
    };
    const stream = { beat, end: () => finish('end') };

    socket.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    socket.on('close', () => finish('end'));
    open.add(stream);
    heartbeat ??= timers.setInterval(() => {
      for (const each of [...open]) each.beat();
    }, heartbeatMs);
    write(': sesame revocation feed\n\n');
    if (closed) return;
    unsubscribe = hub.subscribe(since, {
      deliver(entries) {
        let text = '';
        for (const entry of entries) text += frameOf(entry);
        return write(text);
      },
      drained: () =>
        new Promise<void>((resolve) => {
          if (closed) return resolve();
          const resume = () => {
            stalledBeats = 0;
            waiting.delete(resume);
            socket.off('drain', resume);
            resolve();
          };
          waiting.add(resume);
          socket.once('drain', resume);
        }),
      failed(error) {
        warn('revocation stream: reading the store failed', error);
        finish('end');
      },
    });
  }

  return {
    open: openStream,
    closeAll() {
      for (const stream of [...open]) stream.end();
    },
    get size() {
      return open.size;
    },
  };
}
