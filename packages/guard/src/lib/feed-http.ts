import { decodeRevocation, type RevocationEntry } from '@sesame/protocol';

/** The feed URL with `since` (and `limit`) set; the stream lives at `<url>/stream`. */
export function feedUrl(base: URL, path: '' | '/stream', cursor: string | undefined, limit?: number): URL {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  if (cursor !== undefined) url.searchParams.set('since', cursor);
  if (limit !== undefined) url.searchParams.set('limit', String(limit));
  return url;
}

export interface FeedPage {
  cursor: string | undefined;
  entries: RevocationEntry[];
  more: boolean;
}

/** Thrown for an answer that says the client is not allowed: retrying soon will not help. */
export class FeedRefused extends Error {}

/**
 * Why the feed refused: 401, wrong credentials; 403, a client Sesame knows but has not given the
 * `revocations` permission (`sesame clients permit ID revocations`).
 */
export function refusal(status: number): string {
  return status === 403
    ? 'the revocation feed refused this client (403): it needs the revocations permission'
    : `the revocation feed refused the client credentials (${status})`;
}

const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/**
 * One page of `GET <url>?since=CURSOR&limit=N`. Throws on any failure; the message names the
 * status or the problem, never the credentials.
 */
export async function fetchPage(
  fetchImpl: typeof fetch,
  url: URL,
  authorization: string,
  signal: AbortSignal,
): Promise<FeedPage> {
  const response = await fetchImpl(url, {
    headers: { authorization, accept: 'application/json' },
    redirect: 'error',
    signal,
  });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 401 || response.status === 403) {
      throw new FeedRefused(refusal(response.status));
    }
    throw new Error(`the revocation feed answered ${response.status}`);
  }
  const text = await response.text();
  if (text.length > MAX_PAGE_BYTES) throw new Error('the revocation feed page is too large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error('the revocation feed did not answer JSON');
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { entries?: unknown }).entries)) {
    throw new Error('the revocation feed answer has no entries list');
  }
  const page = body as { cursor?: unknown; entries: unknown[]; more?: unknown };
  const entries: RevocationEntry[] = [];
  for (const item of page.entries) {
    const entry = decodeRevocation(item);
    if (entry !== undefined) entries.push(entry);
  }
  return {
    cursor: typeof page.cursor === 'string' && page.cursor !== '' ? page.cursor : undefined,
    entries,
    more: page.more === true,
  };
}

/** Resolves after `ms`, or at once when `signal` aborts; never keeps the process alive. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
