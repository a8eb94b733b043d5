import cluster from 'node:cluster';
import type { Algorithm } from '@sesame/jwt';
import type { FastifyBaseLogger } from 'fastify';
import type { SesameConfig } from './config/config.js';
import { createAccountSteps } from './domain/accounts/account-steps.js';
import { type BrowserSessions, createBrowserSessions } from './domain/accounts/browser-sessions.js';
import { createConsentSteps } from './domain/accounts/consents.js';
import { createLoginThrottle } from './domain/accounts/throttle.js';
import { createUserService } from './domain/accounts/users.js';
import { createCodeSteps } from './domain/authorization/code-steps.js';
import { createPushedRequests } from './domain/authorization/pushed-requests.js';
import { createClientAssertions } from './domain/clients/client-assertion.js';
import { createClientKeySets } from './domain/clients/client-keys.js';
import { createClientSteps } from './domain/clients/client-steps.js';
import { createClientService } from './domain/clients/clients.js';
import { createInitialAccessTokens } from './domain/clients/initial-access-tokens.js';
import { createRegistrationSteps } from './domain/clients/registration.js';
import { createResponseEncryption } from './domain/clients/response-encryption.js';
import type { DomainContext } from './domain/context.js';
import { createKeyring } from './domain/keys/keyring.js';
import type { Services } from './domain/services.js';
import { firstStart } from './domain/system/first-start.js';
import { createAuditTrail, createHealth } from './domain/system/health.js';
import { createKeySteps } from './domain/system/key-steps.js';
import { createScopeDescriptions } from './domain/system/scope-descriptions.js';
import { createAccessTokens } from './domain/tokens/access-token.js';
import { type BackchannelOptions, createBackchannelLogout } from './domain/tokens/backchannel-logout.js';
import { createDenylist } from './domain/tokens/denylist.js';
import { createDpop } from './domain/tokens/dpop.js';
import { loggedOut } from './domain/tokens/end-browser-session.js';
import { createIdTokens } from './domain/tokens/id-token.js';
import { createIdTokenHints } from './domain/tokens/id-token-hint.js';
import { createLogoutTokens } from './domain/tokens/logout-token.js';
import { createRefreshFamilies } from './domain/tokens/refresh-families.js';
import { createRevocationHub } from './domain/tokens/revocation-hub.js';
import { createRevocationSweep } from './domain/tokens/revocation-sweep.js';
import { createSessionSteps } from './domain/tokens/session-steps.js';
import { createWechatSteps } from './domain/wechat/wechat-steps.js';
import type { ServerMetrics } from './metrics/registry.js';
import type { Store } from './store/types.js';

export interface CreateServicesOptions {
  config: SesameConfig;
  store: Store;
  now: () => number;
  log?: FastifyBaseLogger;
  /**
   * Run the server's timers: automatic key rotation and the sweep of expired revocations (the server
   * does; one-shot CLI commands do not).
   */
  rotateKeys?: boolean;
  /** Back-channel logout delivery: attempts, back-off, timeout, timers (tests make them instant). */
  backchannelLogout?: Omit<BackchannelOptions, 'clients' | 'tokens' | 'audit'>;
  /** Counts every audit event (logins, failures, refresh reuse, revocations, key changes, ...). */
  metrics?: Pick<ServerMetrics, 'audited'>;
}

/**
 * Builds the services of the server over a store, once: the domain modules (accounts, clients,
 * keys, refresh sessions, denylist) and the access token issuer on top of them.
 *
 * @example const services = await createServices({ config, store, now: Date.now });
 */
export async function createServices(options: CreateServicesOptions): Promise<Services> {
  const { config, store, now, log } = options;
  // HS256 (the classic profile, or algorithm HS256) signs with the configured shared secret;
  // the other algorithms with stored keys that rotate.
  const hmac = config.tokenProfile === 'classic' || config.algorithm === 'HS256';
  const keys = await createKeyring({
    store,
    now,
    algorithm: hmac ? undefined : (config.algorithm as Exclude<SesameConfig['algorithm'], 'HS256'>),
    hmac: hmac ? { secret: config.hmacSecret } : undefined,
    // OpenID Connect Discovery §3: RS256 must be offered for ID tokens, whatever signs access tokens.
    additionalAlgorithms: ['RS256'],
    rotationPeriodMs: config.keyRotationPeriod,
    maxTokenLifetimeMs: config.accessTokenTtl,
  });
  if (options.rotateKeys !== false) keys.start();
  // Beside other processes on the same store (sibling workers, other instances) this process's
  // mirror of the revocations would lag up to its sync interval; without a push (Redis pub/sub) it
  // catches up on every check instead — one indexed query — so a revocation made by one worker is
  // refused by the very next request on any other.
  const pushed = config.redisUrl !== '' && store.watchRevocations !== undefined;
  const shared = cluster.isWorker || config.databaseUrl !== '';
  const denylist = createDenylist({
    store,
    now,
    maxTokenLifetimeMs: config.accessTokenTtl,
    ...(shared && !pushed ? { syncIntervalMs: 0 } : {}),
  });
  const revocationFeed = createRevocationHub({
    store,
    now,
    onError: (error) => log?.warn({ err: error }, 'revocation feed: reading the store failed'),
  });
  // Expired revocations are deleted every 5 minutes (+ up to 10% jitter), 1,000 rows a transaction.
  // A failure is one line: the error's code and the first line of the driver's message (a refused
  // connection, a busy database), never the statement or a connection string.
  const revocationSweep = createRevocationSweep({
    store,
    now,
    onError: (error) => {
      const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
      const reason = String(message ?? error).split('\n')[0];
      log?.warn({ code, reason }, 'revocation sweep failed; the next tick tries again');
    },
    onSwept: (deleted) => log?.debug({ deleted }, 'revocation sweep: expired entries deleted'),
  });
  if (options.rotateKeys !== false) revocationSweep.start();
  const { metrics } = options;
  const audit: DomainContext['audit'] = async (event) => {
    // Every domain step writes its events through here: one place counts them all.
    metrics?.audited(event);
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
  };
  // The algorithms an ID token can be signed with (the keyring's: the configured one and RS256).
  const clients = createClientService({
    store,
    now,
    signingAlgorithms: keys.algorithms,
    allowPrivateJwksUri: config.jwksUriAllowPrivate,
  });
  const backchannel = createBackchannelLogout({
    ...options.backchannelLogout,
    clients,
    tokens: createLogoutTokens({ config, keys, now }),
    audit,
  });
  const ctx: DomainContext = Object.freeze({
    config,
    store,
    now,
    keys,
    accessTokens: createAccessTokens({ config, keys, now }),
    users: createUserService({ store, now }),
    clients,
    sessions: createRefreshFamilies({
      store,
      now,
      graceMs: config.refreshGraceWindow,
      familyTtlMs: config.refreshTokenTtl,
      tokenTtlMs: Math.min(14 * 86_400_000, config.refreshTokenTtl),
      denylist,
    }),
    revocations: denylist,
    throttle: createLoginThrottle({
      store,
      now,
      freeFailures: config.throttleFreeFailures,
      baseDelayMs: config.throttleBaseDelay,
      maxDelayMs: config.throttleMaxDelay,
      addressMaxDelayMs: config.throttleAddressMaxDelay,
      windowMs: config.throttleWindow,
    }),
    backchannel,
    audit,
  } satisfies DomainContext);
  let browserSessions: Promise<BrowserSessions> | undefined;
  const idTokens = createIdTokens({ config, keys, now });
  // One cache of client key sets: assertions verify with it, responses are encrypted with it.
  const clientKeySets = createClientKeySets({
    allowPrivate: config.jwksUriAllowPrivate,
    timeoutMs: config.jwksUriTimeout,
    now,
  });
  // What routes, grants and commands get: steps and narrow readers over ctx, never the store.
  const services: Services = {
    config,
    now,
    accessTokens: ctx.accessTokens,
    dpop: createDpop({ config, store, now }),
    idTokens,
    // A hint is any ID token of this server: signed with any algorithm an ID token may be (RS256 too).
    idTokenHints: createIdTokenHints({ config, keys, now, algorithms: idTokens.algorithms as Algorithm[] }),
    users: createAccountSteps(ctx),
    clients: createClientSteps(ctx),
    clientAssertions: createClientAssertions({
      store,
      keySets: clientKeySets,
      issuer: config.issuer,
      tokenEndpoint: `${config.issuer}/oauth/token`,
      maxLifetimeMs: config.clientAssertionMaxLifetime,
      now,
    }),
    registration: createRegistrationSteps(ctx),
    initialAccessTokens: createInitialAccessTokens(ctx),
    responseEncryption: createResponseEncryption({ keySets: clientKeySets }),
    consents: createConsentSteps(ctx),
    codes: createCodeSteps(ctx),
    pushedRequests: createPushedRequests({ store, now }),
    keys: createKeySteps(ctx),
    sessions: createSessionSteps(ctx),
    revocations: denylist,
    revocationFeed,
    wechat: createWechatSteps(ctx),
    scopeDescriptions: createScopeDescriptions(ctx),
    auditTrail: createAuditTrail(ctx),
    health: createHealth(ctx),
    browserSessions() {
      browserSessions ??= createBrowserSessions({
        store,
        now,
        ended: (session, context) => loggedOut(ctx, session, context),
      });
      return browserSessions;
    },
    firstStart: () => firstStart(ctx),
    audit: ctx.audit,
    backchannelLogout: { settled: () => backchannel.settled() },
    async close() {
      keys.stop();
      revocationFeed.close();
      await revocationSweep.stop();
      await backchannel.close();
    },
  };
  return Object.freeze(services);
}
