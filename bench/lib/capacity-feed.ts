/**
 * The revocation-feed part of `npm run bench:capacity`: K guards (lib/feed-guards.ts) connect to
 * the measured server, then revocations are made one at a time (each delivered to every guard
 * before the next: one entry per write, the dearest case per entry) and then in a burst (the hub
 * batches what one store read finds). The probe's snapshots around each step give the server's CPU,
 * the bytes written to the streams, the store statements and Redis commands; memory is read after a
 * full GC, with the guards connected and without.
 */
import type { DeliveryRun, FeedRun } from './capacity-model.js';
import { startGuards } from './feed-guards.js';
import { costBetween, type Probe } from './probe.js';
import type { Credentials } from './sesame.js';

export interface FeedContext {
  issuer: string;
  probe: Probe;
  guard: Credentials;
  /** Revokes one access token (RFC 7009), resolving once the server has answered. */
  revoke(): Promise<void>;
  /** Live entries on the feed now (each new guard catches up on them). */
  liveEntries(): number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function streamsClosed(probe: Probe): Promise<void> {
  let http: unknown;
  for (let tries = 0; tries < 600; tries++) {
    const snapshot = await probe.read();
    if (snapshot.http.openStreams === 0) return;
    http = snapshot.http;
    await pause(50);
  }
  throw new Error(`feed streams still open 30 s after the guards closed: ${JSON.stringify(http)}`);
}

async function inParallel(count: number, width: number, run: () => Promise<void>): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (left > 0) {
        left--;
        await run();
      }
    }),
  );
}

/** Connects `guards` guards, makes `trickle` then `burst` revocations, disconnects them. */
export async function measureFeed(
  context: FeedContext,
  guards: number,
  trickle: number,
  burst: number,
): Promise<FeedRun> {
  const { probe } = context;
  const caughtUp = context.liveEntries();
  const idle = await probe.settled();
  const fleet = await startGuards(guards, context.issuer, context.guard);
  try {
    await fleet.deliveredAtLeast(guards * caughtUp);
    const connected = await probe.settled();
    const connect = costBetween(idle, connected);
    const delivery = async (count: number, step: (i: number) => Promise<void>): Promise<DeliveryRun> => {
      const before = await probe.settled();
      await step(count);
      const after = await probe.settled();
      const cost = costBetween(before, after);
      return {
        revocations: count,
        cpuMicros: cost.cpuMicros,
        streamBytes: cost.streamBytes,
        pgStatements: cost.pgStatements,
        redis: cost.redisTotal,
      };
    };
    const trickled = await delivery(trickle, async (count) => {
      for (let i = 0; i < count; i++) {
        const expected = fleet.delivered() + guards;
        await context.revoke();
        await fleet.deliveredAtLeast(expected);
      }
    });
    const burst_ = await delivery(burst, async (count) => {
      const expected = fleet.delivered() + guards * count;
      await inParallel(count, 16, context.revoke);
      await fleet.deliveredAtLeast(expected);
    });
    return {
      guards,
      caughtUp,
      connect: {
        cpuMicros: connect.cpuMicros / guards,
        pgStatements: connect.pgStatements / guards,
        redis: connect.redisTotal / guards,
        rssBytes: (connected.memory.rss - idle.memory.rss) / guards,
        heapBytes:
          (connected.memory.heapUsed +
            connected.memory.external -
            idle.memory.heapUsed -
            idle.memory.external) /
          guards,
      },
      trickle: trickled,
      burst: burst_,
    };
  } finally {
    fleet.close();
    await streamsClosed(probe);
  }
}
