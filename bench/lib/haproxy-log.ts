/**
 * haproxy's per-request log (LOG_FORMAT in haproxy.ts) read back after a kill test: which requests
 * were on the killed instance while it died, which failed, which haproxy retried and how they ended.
 */

export interface LoggedRequest {
  /** When haproxy accepted the request (epoch ms). */
  acceptedAt: number;
  /** The server that answered last (`<NOSRV>` when none). */
  server: string;
  status: number;
  /** Retries haproxy made for it. */
  retries: number;
  /** True when a retry went to another server. */
  redispatched: boolean;
  /** Total active time (ms). */
  activeMs: number;
  /** Termination state (`----` for a normal end; `SH--`: the server aborted before answering). */
  termination: string;
  method: string;
  path: string;
}

/** The lines of LOG_FORMAT; other lines (haproxy's own notices) are skipped. */
export function parseLog(lines: readonly string[]): LoggedRequest[] {
  const out: LoggedRequest[] = [];
  for (const line of lines) {
    const fields = line.trim().split(' ');
    if (fields.length !== 8 || !/^\d{13}$/.test(fields[0]!)) continue;
    const [accepted, server, status, retries, active, termination, method, path] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    out.push({
      acceptedAt: Number(accepted),
      server,
      status: Number(status),
      retries: Number(retries.replace('+', '')),
      redispatched: retries.startsWith('+'),
      activeMs: Number(active),
      termination,
      method,
      path,
    });
  }
  return out;
}

export interface KillAnalysis {
  /** Requests logged during the load (on the measured path). */
  logged: number;
  /** Requests on the killed instance whose life overlapped its death (SIGKILL to exit). */
  inFlightOnVictim: number;
  /** Requests that ended in another status than 200. */
  failed: number;
  /** Failed requests that were NOT in flight on the killed instance (must be none). */
  failedElsewhere: number;
  /** Requests haproxy retried (a connection refused, or a replay allowed by the retry rules). */
  retried: number;
  /** Retried requests that ended 200. */
  retriedOk: number;
  /** Retried requests that went to another instance. */
  redispatched: number;
}

/**
 * Reads the log of one kill test. `killedAt` is when SIGKILL was sent, `deadAt` when the instance's
 * exit was seen: a request accepted up to `deadAt` and still running at `killedAt` was in flight.
 */
export function analyseKill(
  requests: readonly LoggedRequest[],
  victim: string,
  window: { from: number; until: number; path: string; killedAt: number; deadAt: number },
): KillAnalysis {
  const load = requests.filter(
    (r) => r.acceptedAt >= window.from && r.acceptedAt <= window.until && r.path === window.path,
  );
  const inFlight = (r: LoggedRequest) =>
    r.server === victim && r.acceptedAt <= window.deadAt && r.acceptedAt + r.activeMs >= window.killedAt;
  const failed = load.filter((r) => r.status !== 200);
  const retried = load.filter((r) => r.retries > 0);
  return {
    logged: load.length,
    inFlightOnVictim: load.filter(inFlight).length,
    failed: failed.length,
    failedElsewhere: failed.filter((r) => !inFlight(r)).length,
    retried: retried.length,
    retriedOk: retried.filter((r) => r.status === 200).length,
    redispatched: retried.filter((r) => r.redispatched).length,
  };
}
