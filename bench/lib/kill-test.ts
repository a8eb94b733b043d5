/**
 * The kill test of `npm run bench:scaleout`: load through haproxy over three instances, one of them
 * SIGKILLed partway, every response recorded. Afterwards: every acknowledged (200) answer is
 * checked to still hold (nothing acknowledged lost), the failures are matched against haproxy's
 * log (only requests in flight on the killed instance may fail) and haproxy's retries are counted.
 */
import autocannon from 'autocannon';
import type { Haproxy } from './haproxy.js';
import { analyseKill, type KillAnalysis, parseLog } from './haproxy-log.js';
import type { SesameProcess } from './sesame.js';

export interface KillTestOptions {
  haproxy: Haproxy;
  victim: SesameProcess;
  /** The victim's server name in the haproxy config. */
  victimName: string;
  connections: number;
  seconds: number;
  /** The Basic header of the client. */
  authorization: string;
  grant: 'client_credentials' | 'refresh_token';
  /** For refresh_token: the refresh tokens to start from (one chain each). */
  refreshTokens?: string[];
}

export interface KillResult extends KillAnalysis {
  grant: KillTestOptions['grant'];
  /** Responses the client received, by status; plus connection errors and timeouts. */
  statuses: Record<string, number>;
  clientErrors: number;
  /** 200 answers. */
  acknowledged: number;
  /** Acknowledged answers checked afterwards, and how many of them no longer hold. */
  checked: number;
  lost: number;
  /** refresh_token: acknowledged successors proven by their own later 200 rotation during the load. */
  provenByUse?: number;
  /** haproxy's current sessions on the victim, read just before the SIGKILL. */
  sessionsBeforeKill: number;
  /** From SIGKILL to the victim's exit being seen, ms. */
  dyingMs: number;
}

const FORM = 'application/x-www-form-urlencoded';

async function post(
  url: string,
  authorization: string,
  body: string,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': FORM },
    body,
  });
  return { status: response.status, json: await response.json() };
}

/** Runs `work` over `items` with `concurrency` at once. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export async function killTest(options: KillTestOptions): Promise<KillResult> {
  const { haproxy, authorization } = options;
  const tokenUrl = `${haproxy.url}/oauth/token`;
  const acknowledged: string[] = [];
  // refresh_token: each connection's presented token; each presented token's status.
  const pool = [...(options.refreshTokens ?? [])];
  const outcome = new Map<string, number>();
  const cc = options.grant === 'client_credentials';
  const request: autocannon.Request = cc
    ? {
        onResponse: (status, body) => {
          if (status === 200) acknowledged.push((JSON.parse(body) as { access_token: string }).access_token);
        },
      }
    : {
        setupRequest: (req, context) => {
          const token = pool.shift();
          if (token === undefined) throw new Error('the refresh-token pool ran dry');
          (context as { token?: string }).token = token;
          return { ...req, body: `grant_type=refresh_token&refresh_token=${token}` };
        },
        onResponse: (status, body, context) => {
          const presented = (context as { token: string }).token;
          outcome.set(presented, status);
          if (status !== 200) return;
          const next = (JSON.parse(body) as { refresh_token: string }).refresh_token;
          acknowledged.push(next);
          pool.push(next);
        },
      };
  const from = Date.now();
  let killedAt = 0;
  let deadAt = 0;
  let sessionsBeforeKill = 0;
  const exited = new Promise<void>((resolve) =>
    options.victim.child.once('exit', () => {
      deadAt = Date.now();
      resolve();
    }),
  );
  const kill = setTimeout(
    () =>
      void haproxy.serverStats().then((stats) => {
        sessionsBeforeKill = stats.get(options.victimName)?.scur ?? 0;
        killedAt = Date.now();
        process.kill(options.victim.pid, 'SIGKILL');
      }),
    (options.seconds * 1000) / 3,
  );
  const result = await autocannon({
    url: tokenUrl,
    method: 'POST',
    headers: { authorization, 'content-type': FORM },
    body: 'grant_type=client_credentials&scope=api',
    requests: [request],
    connections: options.connections,
    duration: options.seconds,
    pipelining: 1,
    timeout: 10,
  });
  const until = Date.now();
  clearTimeout(kill);
  if (killedAt === 0) throw new Error('the load ended before the instance was killed');
  await exited;
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {}))
    statuses[status] = Number(count);

  let lost = 0;
  let checked = 0;
  let provenByUse: number | undefined;
  if (cc) {
    // Every acknowledged access token must still introspect active.
    await inParallel(acknowledged, 16, async (token) => {
      const answer = await post(`${haproxy.url}/oauth/introspect`, authorization, `token=${token}`);
      checked++;
      if (answer.status !== 200 || (answer.json as { active?: boolean }).active !== true) lost++;
    });
  } else {
    // An acknowledged successor either rotated with a 200 during the load (it worked), or was never
    // answered for: it must rotate now (within the grace window if the load's request did rotate it).
    provenByUse = acknowledged.filter((token) => outcome.get(token) === 200).length;
    const rest = acknowledged.filter((token) => outcome.get(token) !== 200);
    await inParallel(rest, 16, async (token) => {
      const answer = await post(tokenUrl, authorization, `grant_type=refresh_token&refresh_token=${token}`);
      checked++;
      if (answer.status !== 200) lost++;
    });
  }
  const analysis = analyseKill(parseLog(haproxy.logLines()), options.victimName, {
    from,
    until,
    path: '/oauth/token',
    killedAt,
    deadAt,
  });
  return {
    grant: options.grant,
    ...analysis,
    statuses,
    clientErrors: result.errors + result.timeouts,
    acknowledged: acknowledged.length,
    checked,
    lost,
    ...(provenByUse === undefined ? {} : { provenByUse }),
    sessionsBeforeKill,
    dyingMs: deadAt - killedAt,
  };
}
