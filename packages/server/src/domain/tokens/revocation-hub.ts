/**
 * The revocation hub: one reader of the store's revocation feed per process, fanned out to every
 * open feed stream. Store load does not grow with the number of guards: while at least one stream
 * is open the store is read once per `pollIntervalMs` (and at once when another instance announces
 * an append, `store.watchRevocations`, Redis pub/sub in distributed mode); with none open, not at
 * all. Polling the store rather than hooking this process's revoke path also carries revocations
 * made by `sesame` CLI commands, by sibling workers and by other instances sharing the store.
 *
 * A new subscriber first catches up from its own cursor with reads of its own (paced by the
 * subscriber: it says when it is backed up), then joins the shared fan-out. A live subscriber that
 * says it is backed up after a delivery leaves the fan-out and catches up the same way once it has
 * taken what it holds: a burst (a mass log-out) is paced by each reader, so a reader that is slow
 * for a moment is never handed more than a page it has not taken, and the hub never waits for one.
 * What a subscriber does with a reader that never takes anything is its business (the stream cuts it).
 */
import type { Revocation, Store } from '../../store/types.js';

/** The timer functions the hub uses (injectable: tests tick by hand instead of sleeping). */
export interface HubTimers {
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface RevocationHubOptions {
  store: Pick<Store, 'listRevocations' | 'watchRevocations'>;
  /** The clock, epoch ms: entries expired by then are not read. */
  now?: () => number;
  /** How often the store is read while any subscriber is open (default 250 ms). */
  pollIntervalMs?: number;
  timers?: HubTimers;
  /** Told when a read of the store fails (the next tick tries again). */
  onError?: (error: unknown) => void;
}

/** One open stream, as the hub sees it. */
export interface HubSubscriber {
  /**
   * Entries after the last one delivered, in seq order (the array may be shared with other
   * subscribers: never change it). Answers false when the subscriber is backed up: nothing more is
   * delivered to it until `drained` resolves, and then it catches up from the store.
   */
  deliver(entries: readonly Revocation[]): boolean;
  /** Resolves when the subscriber can take more (or has closed). */
  drained(): Promise<void>;
  /** Its catch-up could not read the store: the subscription is over. */
  failed(error: unknown): void;
}

export interface RevocationHubStats {
  /** Open subscriptions. */
  subscribers: number;
  /** Subscriptions caught up and fed by the shared poll. */
  live: number;
  /** Store reads made by the shared poll since the hub was made (catch-up reads not counted). */
  pollReads: number;
}

export interface RevocationHub {
  /**
   * Feeds `subscriber` every live entry after `since`, then every new one; answers the function
   * that ends the subscription.
   */
  subscribe(since: number, subscriber: HubSubscriber): () => void;
  /** Live entries after `since`, in seq order, at most `limit`: one page of the feed's GET. */
  page(since: number, limit: number): Promise<Revocation[]>;
  stats(): RevocationHubStats;
  /** Ends every subscription's polling (the subscribers themselves are their owners' to close). */
  close(): void;
}

/** Entries per store read, for the poll and for a catch-up alike. */
export const HUB_PAGE = 500;

/** Node's timers, unref'd: an open feed never keeps a process alive. */
export const realTimers: HubTimers = {
  setInterval(run, ms) {
    const timer = setInterval(run, ms);
    timer.unref();
    return timer;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

interface Subscription {
  cursor: number;
  live: boolean;
  closed: boolean;
  readonly subscriber: HubSubscriber;
}

/**
 * @example
 * const hub = createRevocationHub({ store, now: Date.now });
 * const end = hub.subscribe(cursor, { deliver: (entries) => write(entries), drained, failed: close });
 */
export function createRevocationHub(options: RevocationHubOptions): RevocationHub {
  const { store } = options;
  const now = options.now ?? Date.now;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const timers = options.timers ?? realTimers;
  const subscriptions = new Set<Subscription>();
  /**
   * The last seq the shared poll has read: every entry after it will be read by a later poll and
   * delivered to every live subscriber. Undefined until the first poll.
   */
  let head: number | undefined;
  let timer: unknown;
  let unwatch: (() => void) | undefined;
  let polling: Promise<void> | undefined;
  let again = false;
  let pollReads = 0;
  let closed = false;

  const deliverTo = (subscription: Subscription, page: readonly Revocation[]) => {
    const last = page.at(-1)!.seq;
    if (subscription.closed || last <= subscription.cursor) return;
    // Usually every entry is new to a live subscriber: the page itself is handed on, not a copy.
    const first = page.findIndex((entry) => entry.seq > subscription.cursor);
    subscription.cursor = last;
    const ready = subscription.subscriber.deliver(first === 0 ? page : page.slice(first));
    if (ready || subscription.closed) return;
    // Backed up: out of the fan-out until it has taken this, then paced page by page from the store.
    subscription.live = false;
    void subscription.subscriber.drained().then(() => {
      if (!subscription.closed) return catchUp(subscription);
    });
  };

  async function readNew(): Promise<void> {
    do {
      again = false;
      for (;;) {
        pollReads++;
        const page = await store.listRevocations(head ?? 0, now(), HUB_PAGE);
        if (page.length === 0) {
          head ??= 0;
          break;
        }
        head = page.at(-1)!.seq;
        for (const subscription of subscriptions) if (subscription.live) deliverTo(subscription, page);
        if (page.length < HUB_PAGE) break;
        // A burst: let the sockets take this page before the next is fanned out.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // An append announced while the read was under way may not be in it: read once more.
    } while (again && !closed);
  }

  /** One poll at a time; a tick or a push during one asks for another right after it. */
  const poll = (): Promise<void> => {
    if (polling !== undefined) {
      again = true;
      return polling;
    }
    polling = readNew()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        polling = undefined;
      });
    return polling;
  };

  const start = () => {
    if (timer !== undefined || closed) return;
    timer = timers.setInterval(() => void poll(), pollIntervalMs);
    unwatch = store.watchRevocations?.(() => void poll());
  };
  const stop = () => {
    if (timer === undefined) return;
    timers.clearInterval(timer);
    timer = undefined;
    unwatch?.();
    unwatch = undefined;
  };

  async function catchUp(subscription: Subscription): Promise<void> {
    try {
      if (head === undefined) await poll();
      if (head === undefined) throw new Error('the revocation feed could not be read');
      for (;;) {
        // Everything up to `seen` was in the store before this read started: if the poll has not
        // moved on meanwhile, the subscriber holds all of it and the fan-out carries the rest.
        const seen: number | undefined = head;
        const page = await store.listRevocations(subscription.cursor, now(), HUB_PAGE);
        if (subscription.closed) return;
        if (page.length > 0) {
          subscription.cursor = page.at(-1)!.seq;
          const ready = subscription.subscriber.deliver(page);
          if (subscription.closed) return;
          if (page.length === HUB_PAGE) {
            if (!ready) await subscription.subscriber.drained();
            if (subscription.closed) return;
            continue;
          }
        }
        if (head === seen) {
          subscription.live = true;
          return;
        }
      }
    } catch (error) {
      if (!subscription.closed) subscription.subscriber.failed(error);
    }
  }

  return Object.freeze({
    subscribe(since: number, subscriber: HubSubscriber) {
      const subscription: Subscription = { cursor: since, live: false, closed: false, subscriber };
      subscriptions.add(subscription);
      start();
      void catchUp(subscription);
      return () => {
        if (subscription.closed) return;
        subscription.closed = true;
        subscriptions.delete(subscription);
        if (subscriptions.size === 0) stop();
      };
    },
    page: (since: number, limit: number) => store.listRevocations(since, now(), limit),
    stats() {
      let live = 0;
      for (const subscription of subscriptions) if (subscription.live) live++;
      return { subscribers: subscriptions.size, live, pollReads };
    },
    close() {
      closed = true;
      stop();
      for (const subscription of subscriptions) subscription.closed = true;
      subscriptions.clear();
    },
  });
}
