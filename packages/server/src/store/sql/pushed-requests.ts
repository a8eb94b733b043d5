/**
 * Pushed authorization requests (RFC 9126): kept until taken once or expired. Taking is one
 * conditional UPDATE … RETURNING, so two concurrent takes never both get the parameters.
 */
import type { Store } from '../types.js';
import { DURABLE, dropExpired, insertUnique, type SqlContext } from './context.js';

type PushedRequestMethods = Pick<Store, 'savePushedRequest' | 'takePushedRequest'>;

export function pushedRequestQueries({ write }: SqlContext): PushedRequestMethods {
  return {
    async savePushedRequest(request, now) {
      await write(async (trx) => {
        // A few expired rows go with each push, so the table holds about a minute of requests
        // whatever the uptime, without a sweeper (the store's open sweeps the rest).
        await dropExpired(trx, 'pushed_requests', now);
        await insertUnique('the pushed request', () =>
          trx
            .insertInto('pushed_requests')
            .values({
              id: request.id,
              client_id: request.clientId,
              parameters: JSON.stringify(request.parameters),
              expires_at: request.expiresAt,
            })
            .execute(),
        );
      });
    },

    async takePushedRequest(id, clientId, now) {
      const row = await write(
        (trx) =>
          trx
            .updateTable('pushed_requests')
            .set({ used: 1 })
            .where('id', '=', id)
            .where('client_id', '=', clientId)
            .where('used', '=', 0)
            .where('expires_at', '>', now)
            .returning('parameters')
            .executeTakeFirst(),
        // Spent durably, like a code's marker: a crash must not make a used request_uri usable again.
        DURABLE,
      );
      return row === undefined ? undefined : (JSON.parse(row.parameters) as Record<string, string>);
    },
  };
}
