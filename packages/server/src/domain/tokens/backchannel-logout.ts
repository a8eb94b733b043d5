/**
 * Back-channel logout delivery (OpenID Connect Back-Channel Logout 1.0 §2.5, §2.7): when a browser
 * session ends, each client that got tokens through it and registered a `backchannel_logout_uri`
 * receives `POST logout_token=<JWT>` (form-encoded). Delivery runs beside the logout, never inside
 * it: `notify` returns at once, so a slow or dead receiver never holds a user's sign-out.
 *
 * Each attempt has a timeout, follows no redirect (§2.5 names one URI; a 3xx is a refusal) and
 * never reads the answer's body. A 2xx is delivered (§2.8: "200 OK"; 204 is taken too). A network
 * error, a timeout, a 5xx, 408 or 429 is tried again after an exponential back-off (1 s, 2 s, 4 s,
 * 8 s by default: five attempts over about a quarter of a minute); any other answer (400: the
 * relying party refused the token, §2.8) ends the delivery. Every attempt and the outcome are
 * audited (`logout.backchannel.attempt`, `logout.backchannel`), never the token. Deliveries live in
 * this process: a retry still waiting when the server stops is dropped (and audited as such).
 */
import type { AuditEvent, Client } from '../../store/types.js';
import type { LogoutTokens } from './logout-token.js';

/** A client to tell that the session `sid` of `userId` ended. */
export interface LogoutNotice {
  clientId: string;
  userId: string;
  sid: string;
}

/** How an attempt went: `status` for an answer, `error` for none. */
export type AttemptOutcome = { status: number } | { error: 'timeout' | 'network' };

/** Sends one logout token; never throws. Injectable so tests can count attempts without a network. */
export type LogoutPost = (uri: string, logoutToken: string, timeoutMs: number) => Promise<AttemptOutcome>;

/** The timer the back-off waits on (injectable: tests run the retries at once, never sleeping). */
export interface BackchannelTimers {
  /** Runs `run` after `ms`; answers a function that cancels it. */
  schedule(run: () => void, ms: number): () => void;
}

export interface BackchannelOptions {
  /**
   * Where a client's `backchannel_logout_uri` is found, and the algorithm of its ID tokens (which
   * signs its logout tokens too): the client service, cached briefly.
   */
  clients: {
    find(
      clientId: string,
    ): Promise<
      (Pick<Client, 'backchannelLogoutUri'> & Partial<Pick<Client, 'idTokenSignedResponseAlg'>>) | undefined
    >;
  };
  tokens: LogoutTokens;
  /** The domain's audit (never throws). */
  audit(event: Pick<AuditEvent, 'type'> & Partial<Omit<AuditEvent, 'id' | 'at' | 'type'>>): Promise<void>;
  /** Attempts per client and session (default 5). */
  attempts?: number;
  /** The wait before the second attempt, doubled before each next one (default 1000 ms). */
  firstDelayMs?: number;
  /** How long one attempt may take (default 5000 ms). */
  timeoutMs?: number;
  timers?: BackchannelTimers;
  post?: LogoutPost;
}

export interface BackchannelLogout {
  /** Starts telling each client of the notices that has a back-channel URI; returns at once. */
  notify(notices: readonly LogoutNotice[]): void;
  /** Resolves once every delivery started so far has been delivered or given up. */
  settled(): Promise<void>;
  /** Drops the retries still waiting (audited as `stopped`); the attempts under way finish. */
  close(): Promise<void>;
}

/** Node's timers, kept referenced: a one-shot `sesame` command waits for its retries. */
const realTimers: BackchannelTimers = {
  schedule(run, ms) {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

/** The default post: fetch, form-encoded, a timeout, no redirect followed, the body never read. */
export const postLogoutToken: LogoutPost = async (uri, logoutToken, timeoutMs) => {
  try {
    const response = await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: logoutToken }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  } catch (error) {
    const name = (error as { name?: string }).name;
    return { error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
  }
};

const retryable = (outcome: AttemptOutcome) =>
  'error' in outcome || outcome.status >= 500 || outcome.status === 408 || outcome.status === 429;

/**
 * @example
 * const backchannel = createBackchannelLogout({ clients, tokens: logoutTokens, audit });
 * backchannel.notify([{ clientId: 'web', userId: user.id, sid }]);
 */
export function createBackchannelLogout(options: BackchannelOptions): BackchannelLogout {
  const { clients, tokens, audit } = options;
  const attempts = options.attempts ?? 5;
  const firstDelayMs = options.firstDelayMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const timers = options.timers ?? realTimers;
  const post = options.post ?? postLogoutToken;
  const running = new Set<Promise<void>>();
  /** The back-offs under way: how to cancel each timer, and how to end its wait as "stopped". */
  const waiting = new Set<{ cancel: () => void; stop: () => void }>();
  let closed = false;

  /** Waits the back-off; answers false when the deliveries were closed meanwhile. */
  const backOff = (ms: number) =>
    new Promise<boolean>((resume) => {
      if (closed) return resume(false);
      const wait = { cancel: () => {}, stop: () => resume(false) };
      waiting.add(wait);
      wait.cancel = timers.schedule(() => {
        waiting.delete(wait);
        resume(true);
      }, ms);
    });

  async function deliver(notice: LogoutNotice): Promise<void> {
    const client = await clients.find(notice.clientId);
    const uri = client?.backchannelLogoutUri;
    if (uri == null) return;
    const about = { actor: 'system', subject: notice.userId, clientId: notice.clientId } as const;
    let result: 'delivered' | 'failed' | 'stopped' = 'failed';
    let attempt = 0;
    while (attempt < attempts) {
      if (attempt > 0 && !(await backOff(firstDelayMs * 2 ** (attempt - 1)))) {
        result = 'stopped';
        break;
      }
      attempt++;
      const token = tokens.issue({
        ...notice,
        subject: notice.userId,
        algorithm: client?.idTokenSignedResponseAlg,
      });
      const outcome = await post(uri, token, timeoutMs);
      const delivered = 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
      await audit({
        type: 'logout.backchannel.attempt',
        ...about,
        details: { sid: notice.sid, attempt, ...outcome },
      });
      if (delivered) result = 'delivered';
      if (delivered || !retryable(outcome)) break;
    }
    await audit({
      type: 'logout.backchannel',
      ...about,
      details: { sid: notice.sid, result, attempts: attempt },
    });
  }

  return Object.freeze({
    notify(notices: readonly LogoutNotice[]) {
      if (!tokens.enabled || closed) return;
      for (const notice of notices) {
        const delivery: Promise<void> = deliver(notice)
          .catch(() => undefined) // a lost audit write or a store error must not surface here
          .finally(() => running.delete(delivery));
        running.add(delivery);
      }
    },
    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },
    async close() {
      closed = true;
      for (const wait of waiting) {
        wait.cancel();
        wait.stop();
      }
      waiting.clear();
      while (running.size > 0) await Promise.all([...running]);
    },
  });
}
