import type { FastifyBaseLogger } from 'fastify';
import { createLoginThrottle } from './accounts/throttle.js';
import { createUserService } from './accounts/users.js';
import { createClientService } from './clients/clients.js';
import type { SesameConfig } from './config.js';
import { createInterimKeyring } from './keyring-interim.js';
import type { Services } from './services.js';
import { createInterimRevocations, createInterimSessions } from './sessions-interim.js';
import type { Store } from './store/types.js';
import { createAccessTokens } from './tokens/access-token.js';

export interface CreateServicesOptions {
  config: SesameConfig;
  store: Store;
  now: () => number;
  log?: FastifyBaseLogger;
  /** Run the automatic key rotation timer (the server does; one-shot CLI commands do not). */
  rotateKeys?: boolean;
}

/** How often the server checks whether the signing key is due and picks up keys rotated by the CLI. */
const KEY_CHECK_MS = 60_000;

/**
 * Builds the services of the server over a store, once: the domain modules (accounts, clients,
 * keys, refresh sessions, denylist) and the access token issuer on top of them.
 *
 * @example const services = await createServices({ config, store, now: Date.now });
 */
export async function createServices(options: CreateServicesOptions): Promise<Services> {
  const { config, store, now, log } = options;
  const keys = await createInterimKeyring(config, store, now);
  let timer: NodeJS.Timeout | undefined;
  if (options.rotateKeys !== false) {
    timer = setInterval(() => {
      keys.rotateIfDue().catch((error: unknown) => log?.error({ err: error }, 'key rotation failed'));
    }, KEY_CHECK_MS);
    timer.unref();
  }
  const services: Services = {
    config,
    store,
    now,
    keys,
    accessTokens: createAccessTokens({ config, keys, now }),
    users: createUserService({ store, now }),
    clients: createClientService({ store, now }),
    sessions: await createInterimSessions(config, store, now),
    revocations: createInterimRevocations(store, now),
    throttle: createLoginThrottle({
      store,
      now,
      freeFailures: config.throttleFreeFailures,
      baseDelayMs: config.throttleBaseDelay,
      maxDelayMs: config.throttleMaxDelay,
      windowMs: config.throttleWindow,
    }),
    async audit(event) {
      try {
        await store.addAuditEvent({
          at: now(),
          actor: null,
          subject: null,
          clientId: null,
          ip: null,
          details: {},
          ...event,
        });
      } catch (error) {
        // The audit trail must not turn a good login into a 500; the failure is logged instead.
        log?.error({ err: error, type: event.type }, 'audit write failed');
      }
    },
    async close() {
      if (timer) clearInterval(timer);
    },
  };
  return Object.freeze(services);
}
