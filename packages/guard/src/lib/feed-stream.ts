import { decodeRevocation, type RevocationEntry } from '@sesame/protocol';
import { readEvents } from './sse.js';

export interface StreamHandlers {
  /** The stream is open (200 text/event-stream). */
  onOpen(): void;
  /** Bytes arrived (an event or a heartbeat comment). */
  onActivity(): void;
  onEntry(entry: RevocationEntry): void;
  /** An event that was not a usable entry still moves the cursor past it. */
  onSkipped(id: string): void;
  /** The feed refused the client (401/403). */
  onRefused(status: number): void;
}

export interface StreamRequest {
  fetch: typeof fetch;
  url: URL;
  authorization: string;
  cursor: string | undefined;
  /** Aborts the stream (the feed is closing). */
  signal: AbortSignal;
  /** A stream silent for this long is treated as dead and dropped. */
  stallTimeoutMs: number;
  now: () => number;
}

/**
 * Reads the revocation stream until it ends: 'ended' when it was open (reconnect at once),
 * 'failed' when no stream could be had (fall back to polling).
 */
export async function streamFeed(request: StreamRequest, on: StreamHandlers): Promise<'ended' | 'failed'> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  request.signal.addEventListener('abort', abort, { once: true });
  let lastActivity = request.now();
  let opened = false;
  // A proxy can keep a dead connection open: no heartbeat for stallTimeoutMs means it is gone.
  const watchdog = setInterval(
    () => {
      if (request.now() - lastActivity > request.stallTimeoutMs) controller.abort();
    },
    Math.min(request.stallTimeoutMs, 5000),
  );
  watchdog.unref();
  try {
    const headers: Record<string, string> = {
      authorization: request.authorization,
      accept: 'text/event-stream',
    };
    // The HTML Standard's resumption header; `since` in the URL says the same.
    if (request.cursor !== undefined) headers['last-event-id'] = request.cursor;
    const response = await request.fetch(request.url, {
      headers,
      redirect: 'error',
      signal: controller.signal,
    });
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !/^text\/event-stream\b/i.test(type) || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      if (response.status === 401 || response.status === 403) on.onRefused(response.status);
      return 'failed';
    }
    opened = true;
    on.onOpen();
    const activity = () => {
      lastActivity = request.now();
      on.onActivity();
    };
    for await (const event of readEvents(response.body, activity)) {
      if (event.event !== 'revocation') continue;
      let entry: RevocationEntry | undefined;
      try {
        entry = decodeRevocation(JSON.parse(event.data));
      } catch {
        entry = undefined;
      }
      if (entry !== undefined) on.onEntry(entry);
      else if (event.id !== undefined) on.onSkipped(event.id);
    }
    return 'ended';
  } catch {
    return opened ? 'ended' : 'failed';
  } finally {
    clearInterval(watchdog);
    request.signal.removeEventListener('abort', abort);
  }
}
