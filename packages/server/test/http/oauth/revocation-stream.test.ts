import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRevocationHub, HUB_PAGE } from '../../../src/domain/tokens/revocation-hub.js';
import { createFeedStreams, type FeedSocket } from '../../../src/http/oauth/revocation-stream.js';
import { manualTimers, memoryFeed, settle } from '../../helpers/feed-fakes.js';

/**
 * A socket as a stream sees it, by how its reader behaves: `reads` takes every write at once;
 * `stalled` never takes a byte (a stalled guard, or an attacker holding the stream open), so every
 * write stays in its buffer; `paced` takes what was sent only on `take()` (a guard slow for a while).
 */
function fakeSocket(reader: 'reads' | 'stalled' | 'paced') {
  let received = '';
  let peak = 0;
  const held: Array<() => void> = [];
  const socket = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      if (reader === 'stalled') return; // never calls back: the bytes stay buffered
      received += chunk.toString();
      if (reader === 'paced') held.push(callback);
      else callback();
    },
  });
  const write = socket.write.bind(socket);
  Object.assign(socket, {
    writeHead: () => socket,
    write: (chunk: string) => {
      const ready = write(chunk);
      peak = Math.max(peak, socket.writableLength);
      return ready;
    },
  });
  return {
    socket: socket as unknown as FeedSocket,
    received: () => received,
    peak: () => peak,
    destroyed: () => socket.destroyed,
    /** Takes everything sent so far (each callback lets the next buffered chunk through). */
    take() {
      while (held.length > 0) held.shift()!();
    },
  };
}

const LIMIT = 64 * 1024;

function setup(bufferLimit = LIMIT) {
  const feed = memoryFeed();
  const clock = manualTimers();
  const hub = createRevocationHub({
    store: { listRevocations: feed.store.listRevocations },
    timers: clock.timers,
  });
  const warnings: string[] = [];
  const streams = createFeedStreams({
    hub,
    frame: (entry) => `id: ${entry.seq}\nevent: revocation\ndata: ${JSON.stringify(entry)}\n\n`,
    bufferLimit,
    timers: clock.timers,
  });
  const open = (reader: Parameters<typeof fakeSocket>[0]) => {
    const s = fakeSocket(reader);
    streams.open(s.socket, 0, (message) => warnings.push(message));
    return s;
  };
  /** Appends `count` revocations with long values (~1 KiB per event) and lets the poll deliver them. */
  let total = 0;
  const revoke = async (count: number) => {
    total += count;
    for (let i = 0; i < count; i++) feed.add('jti', 'x'.repeat(1000));
    clock.tick();
    await settle();
  };
  return { hub, streams, open, revoke, warnings, clock, total: () => total };
}

describe('feed streams', () => {
  it('closes a stream whose reader takes nothing at the second heartbeat it spends waiting, holding one delivery', async () => {
    const { hub, streams, open, revoke, warnings, total, clock } = setup();
    const stalled = open('stalled');
    const reader = open('reads');
    await settle();
    // Every revoke ticks the clock (the hub's poll and the heartbeat): the stalled stream is
    // backed up after its second delivery and waits from then on.
    let revokes = 0;
    while (!stalled.destroyed() && revokes < 20) {
      await revoke(10);
      revokes++;
    }
    expect(stalled.destroyed()).toBe(true);
    expect(revokes).toBeLessThanOrEqual(4);
    // Out of the fan-out once backed up: it never held more than two deliveries (20 events),
    // well under the limit it would have reached if every delivery had gone on reaching it.
    expect(stalled.peak()).toBeLessThan(LIMIT / 2);
    expect(warnings).toEqual([expect.stringMatching(/the reader took nothing for 15 s or more/)]);
    // The reader that reads is untouched and got every entry.
    await revoke(100);
    expect(reader.destroyed()).toBe(false);
    expect(countOf(reader)).toBe(total());
    expect(streams.size).toBe(1);
    expect(hub.stats().subscribers).toBe(1);
    clock.tick();
    expect(reader.destroyed()).toBe(false);
  });

  it('keeps a backed-up stream whose reader takes a page between two heartbeats', async () => {
    const { open, revoke, warnings, clock } = setup();
    const slow = open('paced');
    await settle();
    await revoke(30);
    for (let beat = 0; beat < 6; beat++) {
      slow.take();
      clock.tick();
      await settle();
    }
    expect(slow.destroyed()).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('closes a stream at once when one delivery leaves more than the buffer limit unsent', async () => {
    const { open, revoke, warnings } = setup();
    const stalled = open('stalled');
    await settle();
    await revoke(70);
    expect(stalled.destroyed()).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/more than 65536 bytes unread/)]);
  });

  it('paces a reader that pauses through a burst bigger than the buffer limit: every entry, never cut', async () => {
    const { open, revoke, warnings, total } = setup(1024 * 1024);
    const paused = open('paced');
    await settle();
    // Three pages of ~1.1 KB events: 1.5 MB, more than the 1 MiB limit, appended while it reads nothing.
    await revoke(HUB_PAGE * 3);
    expect(paused.socket.writableLength).toBeLessThan(HUB_PAGE * 1200);
    for (let round = 0; round < 10 && countOf(paused) < total(); round++) {
      paused.take();
      await settle();
    }
    expect(paused.destroyed()).toBe(false);
    expect(countOf(paused)).toBe(total());
    expect(paused.peak()).toBeLessThan(HUB_PAGE * 1200);
    expect(warnings).toEqual([]);
  });

  it('keeps a stream whose reader reads, whatever the volume', async () => {
    const { open, revoke } = setup();
    const reader = open('reads');
    await settle();
    for (let batch = 0; batch < 20; batch++) await revoke(10);
    expect(reader.destroyed()).toBe(false);
    expect(countOf(reader)).toBe(200);
  });

  it('sends heartbeats from one timer for all streams, and keeps none when no stream is open', async () => {
    const { streams, open, clock } = setup();
    const [a, b] = [open('reads'), open('reads')];
    await settle();
    // One interval for the hub's poll, one for the heartbeats of both streams.
    expect(clock.active).toBe(2);
    clock.tick();
    await settle();
    expect(a.received()).toContain(': heartbeat\n\n');
    expect(b.received()).toContain(': heartbeat\n\n');
    streams.closeAll();
    expect(clock.active).toBe(0);
  });
});

function countOf(s: { received(): string }): number {
  return s.received().match(/event: revocation/g)?.length ?? 0;
}
