/**
 * The clients a route or a command may touch, as business steps: registering, changing and
 * removing a client each write their audit event here, and removing one also ends its sessions and
 * refuses its access tokens (withdrawClient), whoever asks.
 */
import type { Client } from '../../store/types.js';
import type { DomainContext } from '../context.js';
import { withdrawClient } from '../tokens/withdraw.js';
import type { ClientChanges, NewClient } from './clients.js';

export interface ClientSteps {
  /** The client, remembered for up to a second (see ClientService.find). */
  find(clientId: string): Promise<Client | undefined>;
  list(): Promise<Client[]>;
  /** Registers a client (its secret, when confidential, is answered once) and audits it. */
  create(
    input: NewClient,
    actor: string | null,
    details?: Record<string, unknown>,
  ): Promise<{ client: Client; clientSecret: string | null }>;
  /**
   * Changes the fields given (permissions, the OpenID Connect registration fields) and audits the
   * names of those changed. Throws ERR_CLIENT_NOT_FOUND for an unknown id, ERR_CLIENT_INVALID.
   */
  change(clientId: string, changes: ClientChanges, actor: string | null): Promise<Client>;
  /**
   * Removes the client, ends its sessions and refuses its access tokens at once; audited. Answers
   * the sessions ended. Throws ERR_CLIENT_NOT_FOUND for an unknown id.
   */
  remove(clientId: string, actor: string | null): Promise<string[]>;
}

/**
 * @example const ended = await createClientSteps(ctx).remove('quiz-app', 'cli');
 */
export function createClientSteps(ctx: DomainContext): ClientSteps {
  const { clients } = ctx;
  return Object.freeze({
    find: (clientId) => clients.find(clientId),
    list: () => clients.list(),
    async create(input, actor, details = {}) {
      const created = await clients.create(input);
      await ctx.audit({ type: 'admin.client.created', actor, subject: created.client.clientId, details });
      return created;
    },
    async change(clientId, changes, actor) {
      const client = await clients.change(clientId, changes);
      const names = Object.keys(changes).filter((name) => changes[name as keyof ClientChanges] !== undefined);
      // The names of what changed; the new permission list too, since who may read the feed matters.
      const details: Record<string, unknown> = { changed: names };
      if (changes.permissions !== undefined) details.permissions = client.permissions;
      await ctx.audit({ type: 'admin.client.changed', actor, subject: clientId, details });
      return client;
    },
    async remove(clientId, actor) {
      await clients.remove(clientId); // ERR_CLIENT_NOT_FOUND
      // What the client holds goes with it: its sessions, and its access tokens at once.
      const sessions = await withdrawClient(ctx, clientId);
      await ctx.audit({
        type: 'admin.client.removed',
        actor,
        subject: clientId,
        details: { sessions: sessions.length },
      });
      return sessions;
    },
  } satisfies ClientSteps);
}
