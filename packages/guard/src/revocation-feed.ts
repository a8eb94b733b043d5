import { formatBasicCredentials, type RevocationEntry, type RevocationList } from '@sesame/protocol';
import { abortableSleep, FeedRefused, feedUrl, fetchPage, refusal } from './lib/feed-http.js';
import { streamFeed } from './lib/feed-stream.js';

/** Where the feed client is: streaming (SSE), polling (the stream failed), or down (neither works). */
export type FeedState = 'connecting' | 'streaming' | 'polling' | 'down' | 'closed';

/** What `onHealth` receives on every change of state, and when failing closed begins. */
export interface FeedHealth {
  state: FeedState;
  /** True while streaming or polling successfully. */
  healthy: boolean;
  /** True when the guard refuses every token because the feed has been down too long. */
  failClosed: boolean;
  /** When the feed was last known to be in sync (ms), if ever. */
  lastSyncAt: number | undefined;
  /** Live entries held. */
  entries: number;
  /** Why it is down (never contains the credentials). */
  error?: string;
}

export interface RevocationFeedOptions {
  /** The feed's JSON URL; the stream is at `<url>/stream`. */
  url: URL;
  clientId: string;
  clientSecret: string;
  list: RevocationList;
  /** Refuse every token after the feed has been unreachable this long; undefined: never. */
  failClosedAfterMs?: number;
  onHealth?: (health: FeedHealth) => void;
  fetch?: typeof fetch;
  /** The clock in ms (for tests). */
  now?: () => number;
  /** Seconds of clock tolerance: an entry is kept that much past its expiry. */
  clockTolerance?: number;
  /** Polling period when the stream is unavailable (default 1 s). */
  pollIntervalMs?: number;
  /** While polling, try the stream again after this long (default 30 s). */
  streamRetryMs?: number;
  /** A stream silent for this long is dead (default 40 s; the server sends a heartbeat every 15 s). */
  stallTimeoutMs?: number;
  /** Longest wait between reconnection attempts (default 10 s). */
  maxBackoffMs?: number;
  /** How often expired entries are dropped (default 60 s). */
  purgeIntervalMs?: number;
}

/** The background subscription to the revocation feed. */
export interface RevocationFeed {
  health(): FeedHealth;
  /** True when tokens must be refused (down for longer than failClosedAfterMs). */
  failClosed(): boolean;
  close(): void;
}

const PAGE_LIMIT = 1000;

/**
 * Subscribes to the revocation feed: Server-Sent Events first (revocations arrive within about a
 * second), polling the JSON feed when the stream cannot be had, reconnecting with back-off, and
 * resuming from the last cursor so no entry is missed. Entries go into `list`.
 *
 * @example
 * const feed = startRevocationFeed({ url: new URL('https://id.example/oauth/revocations'), clientId, clientSecret, list });
 */
export function startRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const { list, failClosedAfterMs } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const streamRetryMs = options.streamRetryMs ?? 30_000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 40_000;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const tolerance = options.clockTolerance ?? 0;
  const authorization = formatBasicCredentials(options.clientId, options.clientSecret);
  const closer = new AbortController();

  let state: FeedState = 'connecting';
  let error: string | undefined;
  let cursor: string | undefined;
  let lastSyncAt: number | undefined;
  // Until the first sync the guard knows nothing of past revocations: count that as down.
  let downSince: number | undefined = now();
  let failClosedTimer: NodeJS.Timeout | undefined;

  const seconds = () => Math.floor(now() / 1000);
  const failClosed = () =>
    failClosedAfterMs !== undefined && downSince !== undefined && now() - downSince >= failClosedAfterMs;
  const health = (): FeedHealth => ({
    state,
    healthy: state === 'streaming' || state === 'polling',
    failClosed: failClosed(),
    lastSyncAt,
    entries: list.size,
    ...(error === undefined ? {} : { error }),
  });
  const report = () => {
    try {
      options.onHealth?.(health());
    } catch {
      // A throwing health callback must not stop the subscription.
    }
  };

  /** Reports the moment failing closed begins (timers may fire a little early: re-arm until then). */
  function armFailClosedTimer(): void {
    if (failClosedAfterMs === undefined || downSince === undefined || failClosed()) return;
    failClosedTimer = setTimeout(
      () => {
        failClosedTimer = undefined;
        if (failClosed()) report();
        else armFailClosedTimer();
      },
      Math.max(1, downSince + failClosedAfterMs - now()),
    );
    failClosedTimer.unref();
  }

  function setState(next: FeedState, why?: string): void {
    if (next === 'streaming' || next === 'polling') {
      downSince = undefined;
      lastSyncAt = now();
      clearTimeout(failClosedTimer);
      failClosedTimer = undefined;
    } else if (next === 'down') {
      downSince ??= now();
      if (failClosedTimer === undefined) armFailClosedTimer();
    }
    const changed = next !== state || why !== error;
    state = next;
    error = why;
    if (changed) report();
  }

  function apply(entry: RevocationEntry): void {
    list.add(entry, seconds() - tolerance);
    cursor = String(entry.seq);
  }

  const sleep = (ms: number) => abortableSleep(ms, closer.signal);

  const stream = () =>
    streamFeed(
      {
        fetch: fetchImpl,
        url: feedUrl(options.url, '/stream', cursor),
        authorization,
        cursor,
        signal: closer.signal,
        stallTimeoutMs,
        now,
      },
      {
        onOpen: () => setState('streaming'),
        onActivity() {
          lastSyncAt = now();
        },
        onEntry: apply,
        onSkipped(id) {
          cursor = id;
        },
        onRefused: (status) => setState('down', refusal(status)),
      },
    );

  /** Reads every page after the cursor; true when the feed answered. */
  async function poll(): Promise<boolean> {
    try {
      for (let pages = 0; pages < 100; pages++) {
        const signal = AbortSignal.any([closer.signal, AbortSignal.timeout(10_000)]);
        const page = await fetchPage(
          fetchImpl,
          feedUrl(options.url, '', cursor, PAGE_LIMIT),
          authorization,
          signal,
        );
        for (const entry of page.entries) apply(entry);
        if (page.cursor !== undefined) cursor = page.cursor;
        if (!page.more) break;
      }
      setState('polling');
      return true;
    } catch (failure) {
      if (!closer.signal.aborted) {
        setState(
          'down',
          failure instanceof FeedRefused ? failure.message : 'the revocation feed is unreachable',
        );
      }
      return false;
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!closer.signal.aborted) {
      const streamed = await stream();
      if (closer.signal.aborted) break;
      if (streamed === 'ended') {
        // The stream was live and broke (server restart, proxy timeout): reconnect at once.
        failures = 0;
        setState('down', 'the revocation stream ended; reconnecting');
        await sleep(100);
        continue;
      }
      // No stream: poll, and try the stream again from time to time.
      const retryStreamAt = now() + streamRetryMs;
      while (!closer.signal.aborted && now() < retryStreamAt) {
        if (await poll()) {
          failures = 0;
          await sleep(pollIntervalMs);
        } else {
          failures++;
          await sleep(Math.min(maxBackoffMs, 250 * 2 ** Math.min(failures, 10)));
          break;
        }
      }
    }
  }

  const purge = setInterval(() => list.purge(seconds() - tolerance), options.purgeIntervalMs ?? 60_000);
  purge.unref();
  void run();

  return {
    health,
    failClosed,
    close() {
      if (closer.signal.aborted) return;
      closer.abort();
      clearInterval(purge);
      clearTimeout(failClosedTimer);
      state = 'closed';
      report();
    },
  };
}
