import { describe, expect, it } from 'vitest';
import { metadataUrl } from '../src/lib/discovery.js';
import { basicAuthorization, feedUrl } from '../src/lib/feed-http.js';
import { readEvents } from '../src/lib/sse.js';
import { parseEntry, RevocationList } from '../src/revocation-list.js';

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

describe('the revocation list', () => {
  const now = 1_000_000;
  it('matches jti, sid, and user tokens issued before the cut-off', () => {
    const list = new RevocationList();
    list.add({ seq: 1, kind: 'jti', value: 'j', expires_at: now + 10 }, now);
    list.add({ seq: 2, kind: 'sid', value: 's', expires_at: now + 10 }, now);
    list.add({ seq: 3, kind: 'user', value: 'u', issued_before: now - 100, expires_at: now + 10 }, now);
    expect(list.revokedBy({ jti: 'j' })).toBe('jti');
    expect(list.revokedBy({ jti: 'k', sid: 's' })).toBe('sid');
    expect(list.revokedBy({ sub: 'u', iat: now - 101 })).toBe('user');
    expect(list.revokedBy({ sub: 'u', iat: now - 100 })).toBeUndefined();
    expect(list.revokedBy({ sub: 'u' })).toBe('user');
    expect(list.revokedBy({ sub: 'v', iat: 0, jti: 'x', sid: 'y' })).toBeUndefined();
    // A claim of another type never matches by coercion.
    expect(list.revokedBy({ jti: ['j'] as unknown as string })).toBeUndefined();
  });

  it('matches client tokens issued before the cut-off, and every token of a revoked kid', () => {
    const list = new RevocationList();
    list.add({ seq: 1, kind: 'client', value: 'c', issued_before: now - 100, expires_at: now + 10 }, now);
    list.add({ seq: 2, kind: 'kid', value: 'k1', expires_at: now + 10 }, now);
    expect(list.revokedBy({ client_id: 'c', iat: now - 101 })).toBe('client');
    expect(list.revokedBy({ client_id: 'c', iat: now - 100 })).toBeUndefined();
    expect(list.revokedBy({ client_id: 'c' })).toBe('client');
    // A client id in `sub` (or a user id in client_id) is another namespace: no match.
    expect(list.revokedBy({ sub: 'c', iat: 0 })).toBeUndefined();
    expect(list.revokedBy({ sub: 'u', iat: now }, 'k1')).toBe('kid');
    expect(list.revokedBy({ sub: 'u', iat: now }, 'k2')).toBeUndefined();
    expect(list.revokedBy({ sub: 'u', iat: now, kid: 'k1' })).toBeUndefined(); // the header's kid only
    expect(list.size).toBe(2);
    expect(list.purge(now + 10)).toBe(2);
    expect(list.revokedBy({ client_id: 'c' }, 'k1')).toBeUndefined();
    expect(parseEntry({ seq: 3, kind: 'kid', value: 'k', expires_at: 9 })).toEqual({
      seq: 3,
      kind: 'kid',
      value: 'k',
      expires_at: 9,
    });
    expect(parseEntry({ seq: 4, kind: 'client', value: 'c', issued_before: 5, expires_at: 9 })).toMatchObject(
      {
        kind: 'client',
        issued_before: 5,
      },
    );
  });

  it('keeps the latest user cut-off, skips expired entries, purges on expiry', () => {
    const list = new RevocationList();
    list.add({ seq: 1, kind: 'user', value: 'u', issued_before: now - 50, expires_at: now + 20 }, now);
    list.add({ seq: 2, kind: 'user', value: 'u', issued_before: now - 100, expires_at: now + 10 }, now);
    expect(list.revokedBy({ sub: 'u', iat: now - 60 })).toBe('user');
    list.add({ seq: 3, kind: 'jti', value: 'gone', expires_at: now }, now);
    expect(list.size).toBe(1);
    list.add({ seq: 4, kind: 'jti', value: 'j', expires_at: now + 5 }, now);
    expect(list.purge(now + 5)).toBe(1);
    expect(list.revokedBy({ jti: 'j' })).toBeUndefined();
    expect(list.purge(now + 20)).toBe(1);
    expect(list.size).toBe(0);
  });

  it('holds 100,000 entries with constant-time checks', () => {
    const list = new RevocationList();
    for (let i = 0; i < 100_000; i++)
      list.add({ seq: i, kind: 'jti', value: `jti-${i}`, expires_at: now + 60 }, now);
    const start = performance.now();
    for (let i = 0; i < 100_000; i++) list.revokedBy({ jti: `live-${i}`, sid: 's', sub: 'u', iat: now });
    expect(performance.now() - start).toBeLessThan(500);
    expect(list.revokedBy({ jti: 'jti-99999' })).toBe('jti');
  });

  it.each([
    [{ seq: -1, kind: 'jti', value: 'a', expires_at: 1 }],
    [{ seq: 1.5, kind: 'jti', value: 'a', expires_at: 1 }],
    [{ seq: 1, kind: 'token', value: 'a', expires_at: 1 }],
    [{ seq: 1, kind: 'jti', value: '', expires_at: 1 }],
    [{ seq: 1, kind: 'jti', value: 'a' }],
    [{ seq: 1, kind: 'user', value: 'a', expires_at: 1 }],
    [{ seq: 1, kind: 'client', value: 'a', expires_at: 1 }],
    [null],
  ])('parseEntry refuses %j', (entry) => {
    expect(parseEntry(entry)).toBeUndefined();
  });
});

describe('URLs and credentials', () => {
  it('puts the well-known segment between host and path (RFC 8414 §3.1)', () => {
    expect(metadataUrl('https://id.example').href).toBe(
      'https://id.example/.well-known/oauth-authorization-server',
    );
    expect(metadataUrl('https://id.example/tenant/').href).toBe(
      'https://id.example/.well-known/oauth-authorization-server/tenant',
    );
  });

  it('form-encodes the client id and secret before Base64 (RFC 6749 §2.3.1)', () => {
    const decoded = Buffer.from(basicAuthorization('my client', 'a:b/c%').slice(6), 'base64').toString();
    expect(decoded).toBe('my+client:a%3Ab%2Fc%25');
  });

  it('builds feed URLs with since and limit', () => {
    const base = new URL('https://id.example/oauth/revocations/');
    expect(feedUrl(base, '/stream', '42').href).toBe('https://id.example/oauth/revocations/stream?since=42');
    expect(feedUrl(base, '', undefined, 10).href).toBe('https://id.example/oauth/revocations?limit=10');
  });
});
