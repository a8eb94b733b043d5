import type { AuditInput, DomainContext } from './context.js';
import type { RevocationHub } from './tokens/revocation-hub.js';

export type { AuditInput };

/**
 * Everything a route, a grant or a command may use, built once by `buildApp` (or a command) and
 * reached through `app.sesame` / `request.server.sesame`. Routes and grants never build their own
 * services.
 */
export interface Services extends DomainContext {
  /** The revocation feed's one store reader, fanned out to every open feed stream. */
  readonly revocationFeed: RevocationHub;
  /** Stops background work (key rotation timer, the feed's poll); the store stays open (its owner closes it). */
  close(): Promise<void>;
}
