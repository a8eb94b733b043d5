import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRevocationHub } from '../../../src/domain/tokens/revocation-hub.js';
import { createFeedStreams, type FeedSocket } from '../../../src/http/oauth/revocation-stream.js';
import { manualTimers, memoryFeed, settle } from '../../helpers/feed-fakes.js';

/**
 * A socket as a stream sees it. `reading: false` is a reader that never takes a byte (a stalled
 * guard, or an attacker holding the stream open): every write stays in its buffer.
 */
function fakeSocket(reading: boolean) {
  let received = '';
  let peak = 0;
  const socket = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      if (!reading) return; // never calls back: the bytes stay buffered
      received += chunk.toString();
      callback();
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
  };
}

const LIMIT = 64 * 1024;

function setup() {
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
    bufferLimit: LIMIT,
    timers: clock.timers,
  });
  const open = (reading: boolean) => {
    const s = fakeSocket(reading);
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
  it('closes a stream whose reader takes nothing once it holds more than the buffer limit', async () => {
    const { hub, streams, open, revoke, warnings, total } = setup();
    const stalled = open(false);
    const reader = open(true);
    await settle();
    for (let batch = 0; batch < 20 && !stalled.destroyed(); batch++) await revoke(10);
    expect(stalled.destroyed()).toBe(true);
    // Bounded: at most the limit plus the one batch whose write crossed it (10 events).
    expect(stalled.peak()).toBeGreaterThan(LIMIT);
    expect(stalled.peak()).toBeLessThan(LIMIT + 11 * 1024);
    expect(warnings).toEqual([expect.stringMatching(/more than 65536 bytes unread/)]);
    // The reader that reads is untouched and got every entry.
    await revoke(100);
    expect(reader.destroyed()).toBe(false);
    expect(countOf(reader)).toBe(total());
    expect(streams.size).toBe(1);
    expect(hub.stats().subscribers).toBe(1);
  });

  it('keeps a stream whose reader reads, whatever the volume', async () => {
    const { open, revoke } = setup();
    const reader = open(true);
    await settle();
    for (let batch = 0; batch < 20; batch++) await revoke(10);
    expect(reader.destroyed()).toBe(false);
    expect(countOf(reader)).toBe(200);
  });

  it('sends heartbeats from one timer for all streams, and keeps none when no stream is open', async () => {
    const { streams, open, clock } = setup();
    const [a, b] = [open(true), open(true)];
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
