/**
 * One POST of the audit webhook: a JSON batch `{"events":[…]}` (each event as a line of
 * `sesame audit export`), signed so the receiver can tell it came from this server:
 * `Sesame-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed with auditWebhookSecret>`.
 * A timeout, no redirect followed (a 3xx is a failure: the configured URL is the only one), the
 * answer's body never read. A 2xx is delivered; anything else is a failure the sink retries.
 */
import { createHmac } from 'node:crypto';
import type { AuditRecord } from '../domain/system/audit-record.js';

/** How a POST went: delivered, or why not (a bounded word: it is a metric label). */
export type PostOutcome =
  | { ok: true }
  | { ok: false; reason: 'timeout' | 'network' | 'redirect' | '4xx' | '5xx' };

/** Hands one batch over; never throws. Injectable: the sink's tests count attempts without a network. */
export type BatchPost = (events: AuditRecord[]) => Promise<PostOutcome>;

/**
 * The signature header's value for a body.
 *
 * @example signBatch(body, secret) // 'sha256=5f1c…'
 */
export function signBatch(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * A poster to `url`, signing with `secret`.
 *
 * @example const post = webhookPost({ url, secret, timeoutMs: 5000 }); await post([]);
 */
export function webhookPost(options: { url: string; secret: string; timeoutMs: number }): BatchPost {
  const { url, secret, timeoutMs } = options;
  return async (events) => {
    const body = JSON.stringify({ events });
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          'sesame-signature': signBatch(body, secret),
          'user-agent': 'sesame-audit-webhook',
        },
        body,
      });
    } catch (error) {
      const name = (error as Error).name;
      return { ok: false, reason: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true };
    if (response.status >= 300 && response.status < 400) return { ok: false, reason: 'redirect' };
    return { ok: false, reason: response.status < 500 ? '4xx' : '5xx' };
  };
}
