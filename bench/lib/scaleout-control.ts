/**
 * The control of bench:scaleout's scaling figures: three ceiling routes (bench/targets/ceiling.ts)
 * behind the same haproxy, measured the same way as the three Sesame instances. The ceiling
 * processes share nothing — no store, no cache, no feed — so any growth of their CPU per request
 * from one to three is the machine's (three processes and haproxy on the same shared cores), not
 * contention between instances. Sesame's own ratio divided by the control's is what its shared
 * state (PostgreSQL, Redis) adds.
 */
import { type Haproxy, startHaproxy } from './haproxy.js';
import { type LoadOptions, type LoadResult, measureRounds, type Scenario, warmUp } from './load.js';
import { freePort, type Started, startNode, TSX_IMPORT } from './processes.js';
import { basic, type Credentials, postForm } from './sesame.js';
import { makeEs256Key } from './tokens.js';

export type ControlCounts = '1' | '3' | 'alone';

/**
 * Per scenario (client_credentials, introspection): one ceiling process with all connections,
 * three ceiling processes, and one with a third of the connections.
 */
export async function measureControl(
  client: Credentials,
  options: LoadOptions & { rounds: number },
): Promise<Record<string, Record<ControlCounts, LoadResult>>> {
  const key = makeEs256Key();
  const ceilings: Started[] = [];
  const ports: number[] = [];
  const proxies = new Map<number, Haproxy>();
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      ports.push(port);
      ceilings.push(
        await startNode({
          name: `ceiling-${i + 1}`,
          args: [...TSX_IMPORT, 'bench/targets/ceiling.ts'],
          env: {
            CEILING_PORT: String(port),
            CEILING_KEY: JSON.stringify(key.privateJwk),
            CEILING_KID: key.kid,
            CEILING_ISSUER: 'https://sesame.example',
            CEILING_CLIENT_ID: client.clientId,
            CEILING_CLIENT_SECRET: client.clientSecret,
          },
          ready: /ceiling listening/,
        }),
      );
    }
    for (const n of [1, 3]) {
      const servers = ports.slice(0, n).map((port, i) => ({ name: `c${i + 1}`, port }));
      proxies.set(n, await startHaproxy({ servers, retryRules: 'safe' }));
    }
    const headers = { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' };
    const tokens: string[] = [];
    for (let i = 0; i < 100; i++) {
      const answer = await postForm(
        `${proxies.get(3)!.url}/oauth/token`,
        { grant_type: 'client_credentials', scope: 'api' },
        basic(client),
      );
      tokens.push(answer.access_token as string);
    }
    const pids = (n: number) => ceilings.slice(0, n).map((ceiling) => ceiling.pid);
    const scenarios = {
      client_credentials: (n: number, connections?: number): Scenario => ({
        name: `control: client_credentials, ${n} ceiling(s)${connections ? `, ${connections} connections` : ''}`,
        ...(connections ? { connections } : {}),
        url: `${proxies.get(n)!.url}/oauth/token`,
        method: 'POST',
        headers,
        body: 'grant_type=client_credentials&scope=api',
        pids: pids(n),
      }),
      introspection: (n: number, connections?: number): Scenario => {
        let next = 0;
        return {
          name: `control: introspection, ${n} ceiling(s)${connections ? `, ${connections} connections` : ''}`,
          ...(connections ? { connections } : {}),
          url: `${proxies.get(n)!.url}/oauth/introspect`,
          method: 'POST',
          headers,
          setupRequest: (request) => ({ ...request, body: `token=${tokens[next++ % tokens.length]}` }),
          pids: pids(n),
        };
      },
    };
    const results: Record<string, Record<ControlCounts, LoadResult>> = {};
    const alone = Math.ceil(options.connections / 3);
    for (const [name, scenario] of Object.entries(scenarios)) {
      await warmEach(
        scenario(1),
        ports.map((port) => `http://127.0.0.1:${port}`),
        options.connections,
        WARM_EACH_SECONDS(options),
      );
      results[name] = await measureRounds(
        { 1: scenario(1), 3: scenario(3), alone: scenario(1, alone) },
        options,
      );
    }
    return results;
  } finally {
    for (const proxy of proxies.values()) await proxy.stop();
    await Promise.all(ceilings.map((ceiling) => ceiling.stop()));
  }
}

/**
 * Seconds of load each instance gets on its own before a scaling measurement. Without it the first
 * instance, in every contender, is warmer than the others, which get a third of the three-instance
 * warm-up only, and the three-instance CPU per request holds their JIT's warming up.
 */
export const WARM_EACH_SECONDS = (options: LoadOptions) => Math.max(1, 4 * options.warmupSeconds);

/** Load on each instance directly (not through the balancer), one after the other. */
export async function warmEach(
  scenario: Scenario,
  origins: readonly string[],
  connections: number,
  seconds: number,
): Promise<void> {
  for (const origin of origins) {
    const url = new URL(scenario.url);
    await warmUp({ ...scenario, url: `${origin}${url.pathname}` }, connections, seconds);
  }
}
