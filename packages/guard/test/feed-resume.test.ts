import { afterEach, expect, it } from 'vitest';
import { RevocationList } from '../src/index.js';
import { type RevocationFeed, startRevocationFeed } from '../src/revocation-feed.js';
import { until } from './helpers/issuer.js';

// The server closes a feed stream whose reader fell too far behind, dropping what it still held
// for it: the guard may see an event cut in the middle. It must reconnect from the last whole
// event it received and get the rest again.

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const event = (seq: number, value: string) =>
  `id: ${seq}\nevent: revocation\ndata: ${JSON.stringify({ seq, kind: 'jti', value, expires_at: inAnHour() })}\n\n`;

let feed: RevocationFeed | undefined;
afterEach(() => feed?.close());

it('resumes from the last whole event after the server cut the stream mid-event', async () => {
  const requests: Array<{ url: string; lastEventId: string | null }> = [];
  const encoder = new TextEncoder();
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    requests.push({ url: String(input), lastEventId: headers.get('last-event-id') });
    const first = requests.length === 1;
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (first) {
          // The bytes that got out, then the socket is destroyed: an error, not a clean end.
          if (pulls++ === 0) {
            const cut = event(2, 'b').slice(0, 30);
            controller.enqueue(encoder.encode(`: sesame revocation feed\n\n${event(1, 'a')}${cut}`));
          } else controller.error(new Error('socket destroyed'));
        } else if (pulls++ === 0) {
          controller.enqueue(encoder.encode(`: sesame revocation feed\n\n${event(2, 'b')}`));
          init?.signal?.addEventListener('abort', () => controller.error(new Error('aborted')));
        }
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  const list = new RevocationList();
  feed = startRevocationFeed({
    url: new URL('http://issuer.test/oauth/revocations'),
    clientId: 'guard',
    clientSecret: 'secret',
    list,
    fetch: fakeFetch as typeof fetch,
  });
  await until(() => list.revokedBy({ jti: 'b' }) === 'jti', 3000);
  expect(list.revokedBy({ jti: 'a' })).toBe('jti');
  expect(list.size).toBe(2);
  expect(requests).toHaveLength(2);
  expect(requests[1]).toEqual({
    url: 'http://issuer.test/oauth/revocations/stream?since=1',
    lastEventId: '1',
  });
});
