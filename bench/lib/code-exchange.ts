/**
 * The authorization code flow's token request (RFC 6749 §4.1.3) by the real server, three ways
 * side by side: without `openid` (an access token), with it (an ES256 ID token beside it: one
 * more signature), and with it for a client registered for RS256 ID tokens. Only the token
 * request is timed; the codes are made by the flow beforehand (lib/codes.ts). The issue's
 * measure: the ID token costs at most one more signature, so the CPU time per request with
 * `openid` is compared with the cost of one signature, timed here in the benchmark's process.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { CODE_REDIRECT, type CodePool, codePool } from './codes.js';
import { type LoadOptions, type LoadResult, measureRounds, type Scenario } from './load.js';
import { addClient, basic, type Credentials, type SesameProcess } from './sesame.js';

export type CodeScenario = 'code' | 'codeOpenid' | 'codeOpenidRs256';

export interface CodeExchangeResults {
  results: Record<CodeScenario, LoadResult>;
  /** CPU microseconds of one signature in the benchmark's process, for scale. */
  signatureMicros: { ES256: number; RS256: number };
}

/** Microseconds of one signature with node:crypto (ES256 as JWS writes it, RS256 over 2048 bits). */
function signatureMicros(): CodeExchangeResults['signatureMicros'] {
  const time = (key: KeyObject, dsaEncoding?: 'ieee-p1363') => {
    const data = Buffer.alloc(400, 1); // about an ID token's signing input
    for (let i = 0; i < 200; i++) sign('sha256', data, { key, dsaEncoding });
    const started = process.cpuUsage();
    const count = 2000;
    for (let i = 0; i < count; i++) sign('sha256', data, { key, dsaEncoding });
    const used = process.cpuUsage(started);
    return (used.user + used.system) / count;
  };
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return { ES256: time(ec, 'ieee-p1363'), RS256: time(rsa) };
}

/**
 * Registers the two code-flow clients with the CLI, checks one exchange of each scenario (an ID
 * token only with `openid`, of the client's algorithm), then measures the three in rounds.
 *
 * @example const { results } = await measureCodeExchange(sesame, { username, password }, ROUND);
 */
export async function measureCodeExchange(
  sesame: SesameProcess,
  user: { username: string; password: string },
  options: LoadOptions & { rounds: number },
): Promise<CodeExchangeResults> {
  const flags = ['--redirect-uri', CODE_REDIRECT];
  const es = await addClient(sesame, 'bench-web', 'authorization_code', 'openid api', flags);
  const rs = await addClient(sesame, 'bench-web-rs256', 'authorization_code', 'openid api', [
    ...flags,
    '--id-token-alg',
    'RS256',
  ]);
  const plan: Record<CodeScenario, [string, Credentials, string, string | undefined]> = {
    code: ['authorization_code: Sesame, no openid', es, 'api', undefined],
    codeOpenid: ['authorization_code: Sesame, openid (ES256)', es, 'openid api', 'ES256'],
    codeOpenidRs256: ['authorization_code: Sesame, openid (RS256)', rs, 'openid api', 'RS256'],
  };
  const url = `${sesame.issuer}/oauth/token`;
  const pools = {} as Record<CodeScenario, CodePool>;
  const scenarios = {} as Record<CodeScenario, Scenario>;
  for (const [name, [label, client, scope, idTokenAlg]] of Object.entries(plan) as [
    CodeScenario,
    (typeof plan)[CodeScenario],
  ][]) {
    const pool = await codePool(sesame.issuer, client, scope, user);
    await pool.refill(1);
    const headers = { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' };
    const check = await fetch(url, { method: 'POST', headers, body: pool.nextBody() });
    const answer = (await check.json()) as { id_token?: string };
    const alg = answer.id_token === undefined ? undefined : decodeProtectedHeader(answer.id_token).alg;
    if (check.status !== 200 || alg !== idTokenAlg)
      throw new Error(`${label}: answered ${check.status} with an ID token of ${alg ?? 'none'}`);
    pools[name] = pool;
    scenarios[name] = {
      name: label,
      url,
      pid: sesame.pid,
      method: 'POST',
      headers,
      setupRequest: (request) => ({ ...request, body: pool.nextBody() }),
    };
  }
  const fastest: Partial<Record<CodeScenario, number>> = {};
  const refillMs: number[] = [];
  const results = await measureRounds(scenarios, {
    ...options,
    // Enough fresh codes for the run ahead: the fastest rate seen so far (the warm-up's asks
    // included), half as much again; a pool that ran dry before gets three times.
    async prepare(name, seconds, last) {
      const pool = pools[name];
      const seen = Math.max(last?.rps ?? 0, pool.asked / Math.max(1, options.warmupSeconds), 1000);
      fastest[name] = Math.max(fastest[name] ?? 0, seen);
      const started = performance.now();
      await pool.refill(Math.ceil(fastest[name]! * seconds * (pool.dry > 0 ? 3 : 1.5)));
      refillMs.push(performance.now() - started);
    },
  });
  const dry = Object.values(pools).reduce((sum, pool) => sum + pool.dry, 0);
  process.stdout.write(
    `code pools: longest refill ${(Math.max(...refillMs) / 1000).toFixed(1)} s, ${dry} codes short in the last runs\n`,
  );
  return { results, signatureMicros: signatureMicros() };
}

/** The report's lines on the code exchange: what `openid` adds per request, against one signature. */
export function codeExchangeLines(measured: CodeExchangeResults): string[] {
  const { results: r, signatureMicros: sig } = measured;
  const extra = (with_: LoadResult) =>
    with_.cpuPerRequest !== undefined && r.code.cpuPerRequest !== undefined
      ? with_.cpuPerRequest - r.code.cpuPerRequest
      : Number.NaN;
  return [
    `- The code exchange's token request with \`openid\` (an ES256 ID token beside the access token) costs ${extra(r.codeOpenid).toFixed(0)} µs more CPU per request than without it (${r.codeOpenid.cpuPerRequest?.toFixed(0)} vs ${r.code.cpuPerRequest?.toFixed(0)} µs); one ES256 signature is ${sig.ES256.toFixed(0)} µs of CPU here. For a client registered for RS256: ${extra(r.codeOpenidRs256).toFixed(0)} µs more; one RS256 (2048-bit) signature is ${sig.RS256.toFixed(0)} µs.`,
  ];
}
