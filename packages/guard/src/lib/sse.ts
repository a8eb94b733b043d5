/**
 * A small Server-Sent Events reader over a fetch response body, following the HTML Standard's
 * "event stream interpretation" (§9.2.6): lines end in CRLF, LF or CR; `:` starts a comment;
 * `data` lines are joined with LF; a blank line dispatches the event; an `id` containing NUL is
 * ignored. No dependency is needed for this: node's fetch streams the body.
 */

export interface SseEvent {
  /** The `event` field, "message" when absent. */
  event: string;
  data: string;
  /** The last event id seen on the stream so far (the spec's "last event ID buffer"). */
  id: string | undefined;
}

/** A line longer than this ends the stream: no revocation entry comes near it. */
const MAX_LINE = 64 * 1024;

/**
 * Yields the events of the stream. `onActivity` is called for every chunk received, comments
 * (heartbeats) included, so the caller can tell a live stream from a stalled one.
 *
 * @example
 * for await (const event of readEvents(response.body, () => { lastSeen = Date.now() })) handle(event);
 */
export async function* readEvents(
  body: ReadableStream<Uint8Array>,
  onActivity: () => void = () => undefined,
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let lastId: string | undefined;
  let event = '';
  let data: string[] = [];
  // A CR at the end of one chunk may be followed by the LF of a CRLF at the start of the next.
  let skipLeadingLf = false;

  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    onActivity();
    buffer += decoder.decode(chunk, { stream: true });
    if (skipLeadingLf && buffer.startsWith('\n')) buffer = buffer.slice(1);
    skipLeadingLf = false;
    let start = 0;
    for (;;) {
      const cr = buffer.indexOf('\r', start);
      const lf = buffer.indexOf('\n', start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      const line = buffer.slice(start, end);
      if (buffer[end] === '\r') {
        if (end + 1 === buffer.length) skipLeadingLf = true;
        start = buffer[end + 1] === '\n' ? end + 2 : end + 1;
      } else {
        start = end + 1;
      }
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id: lastId };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\u0000')) lastId = value;
      // `retry` is ignored: reconnection delays are the caller's policy.
    }
    buffer = buffer.slice(start);
    if (buffer.length > MAX_LINE) throw new Error('an event stream line is too long');
  }
}
