/**
 * K guards following one server's revocation feed, in the benchmark's process: each is
 * @sesame/guard's own feed client (packages/guard/src/revocation-feed.ts, from the built dist) with
 * a list that counts what it is given, so the benchmark knows when every guard holds every entry.
 */
import { Agent, request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { RevocationList } from '@sesame/protocol';
import { startRevocationFeed } from '../../packages/guard/dist/revocation-feed.js';
import type { Credentials } from './sesame.js';

/** A RevocationList that counts the entries the feed client adds to it. */
class CountingList extends RevocationList {
  constructor(private readonly counted: () => void) {
    super();
  }
  override add(...args: Parameters<RevocationList['add']>): void {
    super.add(...args);
    this.counted();
  }
}

/**
 * A fetch over node:http with an agent of the fleet's own: closing the fleet destroys its sockets,
 * so the server sees every stream end at once. (Aborting the global fetch's stream did not always
 * close the connection, and streams left open would take deliveries in the next run.)
 */
function socketFetch(agent: Agent): typeof fetch {
  return ((input: URL | string, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const sent = httpRequest(
        input,
        {
          agent,
          method: init.method ?? 'GET',
          headers: init.headers as Record<string, string>,
          signal: init.signal ?? undefined,
        },
        (answer) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(answer.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          const body = Readable.toWeb(answer) as ReadableStream<Uint8Array>;
          resolve(
            new Response(body as unknown as ConstructorParameters<typeof Response>[0], {
              status: answer.statusCode ?? 0,
              headers,
            }),
          );
        },
      );
      sent.on('error', reject);
      sent.end();
    })) as typeof fetch;
}

export interface GuardFleet {
  readonly size: number;
  /** Entries delivered so far, summed over the guards. */
  delivered(): number;
  /** Resolves once the guards together have been given `total` entries (or rejects after `ms`). */
  deliveredAtLeast(total: number, ms?: number): Promise<void>;
  close(): void;
}

/** Starts `count` feed clients and resolves once every one is streaming. */
export async function startGuards(
  count: number,
  issuer: string,
  credentials: Credentials,
  ms = 120_000,
): Promise<GuardFleet> {
  let delivered = 0;
  const waiters: { total: number; resolve: () => void }[] = [];
  const counted = () => {
    delivered++;
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (delivered >= waiters[i]!.total) waiters.splice(i, 1)[0]!.resolve();
    }
  };
  let streaming = 0;
  let allStreaming!: () => void;
  const ready = new Promise<void>((resolve) => {
    allStreaming = resolve;
  });
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const fetchImpl = socketFetch(agent);
  const feeds = Array.from({ length: count }, () => {
    let counting = false;
    return startRevocationFeed({
      url: new URL(`${issuer}/oauth/revocations`),
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      list: new CountingList(counted),
      fetch: fetchImpl,
      onHealth(health) {
        // A guard that loses its stream and polls is not what is measured: count only streams.
        if (health.state === 'streaming' && !counting) {
          counting = true;
          if (++streaming === count) allStreaming();
        }
      },
    });
  });
  const fleet: GuardFleet = {
    size: count,
    delivered: () => delivered,
    deliveredAtLeast(total, wait = 120_000) {
      if (delivered >= total) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the guards got ${delivered} of ${total} entries in ${wait / 1000} s`)),
          wait,
        );
        waiters.push({
          total,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close() {
      for (const feed of feeds) feed.close();
      agent.destroy();
    },
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${streaming} of ${count} guards streaming after ${ms / 1000} s`)),
          ms,
        );
      }),
    ]);
  } catch (error) {
    fleet.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return fleet;
}
