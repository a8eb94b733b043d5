import { describe, expect, it } from 'vitest';
import { feedUrl } from '../src/lib/feed-http.js';
import { readEvents } from '../src/lib/sse.js';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(...chunks: string[]) {
  const events = [];
  for await (const event of readEvents(streamOf(...chunks))) events.push(event);
  return events;
}

describe('the SSE reader', () => {
  it('reads events split across chunks, with CRLF, CR and LF line ends and comments', async () => {
    const events = await collect(
      ': heartbeat\n\nid: 7\nevent: revocation\nda',
      'ta: {"a":1}\r',
      '\n\r\nid: 8\revent: revocation\rdata: x\rdata: y\r\r',
      'data:no-space\n\n',
    );
    expect(events).toEqual([
      { event: 'revocation', data: '{"a":1}', id: '7' },
      { event: 'revocation', data: 'x\ny', id: '8' },
      { event: 'message', data: 'no-space', id: '8' },
    ]);
  });

  it('does not dispatch an event without data, nor an unterminated one', async () => {
    expect(await collect('id: 3\nevent: revocation\n\n', 'data: cut')).toEqual([]);
  });

  it('ignores an id holding NUL', async () => {
    expect((await collect('id: a\u0000b\ndata: x\n\n'))[0]!.id).toBeUndefined();
  });

  it('refuses an endless line', async () => {
    await expect(collect('data: ' + 'x'.repeat(70_000))).rejects.toThrow(/too long/);
  });
});

describe('feed URLs', () => {
  it('builds feed URLs with since and limit', () => {
    const base = new URL('https://id.example/oauth/revocations/');
    expect(feedUrl(base, '/stream', '42').href).toBe('https://id.example/oauth/revocations/stream?since=42');
    expect(feedUrl(base, '', undefined, 10).href).toBe('https://id.example/oauth/revocations?limit=10');
  });
});
