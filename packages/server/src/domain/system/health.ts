/** What /readyz and /healthz ask of the server's dependencies, and what the audit trail holds. */
import type { AuditEvent, AuditQuery } from '../../store/types.js';
import type { DomainContext } from '../context.js';

export interface Health {
  /** Throws when the store does not answer. */
  ping(): Promise<void>;
  /** The state of the store's own dependencies (Redis), when it has any. */
  dependencies(): Record<string, 'ok' | 'unavailable'> | undefined;
  /** From now on the process is stopping: /readyz says so, so a load balancer sends no more. */
  beginStopping(): void;
  readonly stopping: boolean;
}

export interface AuditTrail {
  /** Audit events, newest first; with `afterId`, the next ones after it, oldest first (an export). */
  list(query: AuditQuery): Promise<AuditEvent[]>;
}

/** @example await createHealth(ctx).ping(); */
export function createHealth(ctx: Pick<DomainContext, 'store'>): Health {
  const { store } = ctx;
  let stopping = false;
  return Object.freeze({
    ping: () => store.ping(),
    dependencies: () => store.dependencies?.(),
    beginStopping() {
      stopping = true;
    },
    get stopping() {
      return stopping;
    },
  } satisfies Health);
}

/** @example const events = await createAuditTrail(ctx).list({ type: 'login.failed', limit: 100 }); */
export function createAuditTrail(ctx: Pick<DomainContext, 'store'>): AuditTrail {
  return Object.freeze({ list: (query) => ctx.store.listAuditEvents(query) } satisfies AuditTrail);
}
