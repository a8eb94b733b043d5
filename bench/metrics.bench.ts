/**
 * `npm run bench:metrics`: what Prometheus metrics cost on the token path, counted in
 * instructions (lib/callgrind.ts). Two `sesame serve` processes on two data dirs, alike but for
 * `metricsPort` (off, and on a loopback port), each under callgrind. client_credentials requests
 * (client_secret_basic, one at a time) go to each in turn: after `--warmup` requests each
 * (uninstrumented), `--pairs` pairs of counted windows of `--per-window` requests. The issue's
 * target: metrics cost at most 3 % of the CPU per request.
 *
 * Flags: `--warmup N` (default 1000), `--pairs N` (5), `--per-window N` (150), `--quick`
 * (200 / 2 / 50, no file written).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Counted, countedRunFlags, median, startCounted, waitCountedReady } from './lib/callgrind.js';
import { load1 } from './lib/machine.js';
import { freePort, ROOT, runNode } from './lib/processes.js';
import { type Bar, writeSection } from './lib/results-file.js';
import { addClient, basic, type Credentials, SESAME_CLI } from './lib/sesame.js';

const { quick, warmup: WARMUP, pairs: PAIRS, perWindow: PER_WINDOW } = countedRunFlags('bench:metrics');
const IDLE_MS = quick ? 5_000 : 20_000;

const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('SESAME_')),
);
const work = mkdtempSync(join(tmpdir(), 'sesame-metrics-'));
const loadBefore = load1();

type Kind = 'off' | 'on';
interface Target {
  server: Counted;
  issuer: string;
  client: Credentials;
  metricsUrl?: string;
}

async function start(kind: Kind): Promise<Target> {
  const dataDir = join(work, kind);
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  const metricsPort = kind === 'on' ? await freePort() : undefined;
  if (metricsPort !== undefined) env.SESAME_METRICS_PORT = String(metricsPort);
  const cli = (cliArgs: readonly string[]) =>
    runNode([SESAME_CLI, ...cliArgs, '--data-dir', dataDir], { env: env as Record<string, string> });
  const client = await addClient({ cli }, `bench-${kind}`, 'client_credentials', 'api');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const server = startCounted(
    [SESAME_CLI, 'serve', '--port', String(port), '--data-dir', dataDir, '--workers', '1'],
    join(work, `${kind}.out`),
    { cwd: ROOT, env },
  );
  await waitCountedReady(`${issuer}/readyz`, server.child);
  return {
    server,
    issuer,
    client,
    metricsUrl: metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}/metrics`,
  };
}

async function requests(target: Target, count: number): Promise<void> {
  const headers = {
    authorization: basic(target.client),
    'content-type': 'application/x-www-form-urlencoded',
  };
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${target.issuer}/oauth/token`, {
      method: 'POST',
      headers,
      body: 'grant_type=client_credentials&scope=api',
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`client_credentials answered ${response.status}`);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const targets = {} as Record<Kind, Target>;
try {
  targets.off = await start('off');
  targets.on = await start('on');
  for (let done = 0; done < WARMUP; done += 200)
    for (const kind of ['off', 'on'] as const) await requests(targets[kind], Math.min(200, WARMUP - done));
  for (const kind of ['off', 'on'] as const) {
    targets[kind].server.instrument();
    await requests(targets[kind], 20);
  }
  const windowMs: Record<Kind, number[]> = { off: [], on: [] };
  for (let pair = 0; pair < PAIRS; pair++) {
    for (const kind of ['off', 'on'] as const) {
      targets[kind].server.zero();
      const started = performance.now();
      await requests(targets[kind], PER_WINDOW);
      windowMs[kind].push(performance.now() - started);
      targets[kind].server.dump(kind);
    }
  }
  // Work done by the clock rather than by requests (the event-loop delay monitor samples every
  // 10 ms; timers): a window under callgrind lasts about 50 times longer than it would run, so
  // this work would be counted against the requests 50 times over. Each server idles for
  // IDLE_MS, counted, and its rate per millisecond is taken off each of its windows.
  const idlePerMs = {} as Record<Kind, number>;
  for (const kind of ['off', 'on'] as const) {
    targets[kind].server.zero();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS)); // a measured span, not a wait for an event
    idlePerMs[kind] = performance.now() - started;
    targets[kind].server.dump(`${kind}-idle`);
  }
  // The metrics really counted the requests (a metrics port that recorded nothing would cost nothing).
  const exposition = await (await fetch(targets.on.metricsUrl!)).text();
  const issued = /^sesame_tokens_issued_total\{[^}]*grant_type="client_credentials"[^}]*\} (\d+)/m.exec(
    exposition,
  );
  if (issued === null || Number(issued[1]) < WARMUP + 20 + PAIRS * PER_WINDOW)
    throw new Error(
      `the metrics port did not count the requests: ${issued?.[0] ?? 'no sesame_tokens_issued_total'}`,
    );
  const perRequest = {} as Record<Kind, number[]>;
  const idleRate = {} as Record<Kind, number>;
  for (const kind of ['off', 'on'] as const) {
    const all = await targets[kind].server.stop();
    const counts = all.filter((count) => count.label === kind);
    const idle = all.find((count) => count.label === `${kind}-idle`);
    if (counts.length !== PAIRS || idle === undefined)
      throw new Error(`${kind}: ${counts.length} windows counted`);
    idleRate[kind] = idle.instructions / idlePerMs[kind];
    perRequest[kind] = counts.map(
      (count, i) => (count.instructions - idleRate[kind] * windowMs[kind][i]!) / PER_WINDOW,
    );
  }
  const ratios = perRequest.on.map((on, i) => on / perRequest.off[i]!);
  const ratio = median(ratios);
  const bars: Bar[] = [
    {
      label: 'metrics on: instructions per client_credentials request',
      ratio,
      reference: 'the same server with metrics off',
      target: { value: 1.03, kind: 'max' },
      detail: `${fmt(median(perRequest.on))} vs ${fmt(median(perRequest.off))} instructions`,
    },
  ];
  const markdown = [
    '### Target',
    '',
    `- Prometheus metrics cost at most 3 % of the CPU per token request: with metrics on, a client_credentials request runs ${((ratio - 1) * 100).toFixed(1)} % more instructions than with them off (median of ${PAIRS} pairs of windows: ${ratio.toFixed(3)}×; the pairs range from ${Math.min(...ratios).toFixed(3)}× to ${Math.max(...ratios).toFixed(3)}×).`,
    '',
    '### Figures',
    '',
    '| window pair | metrics off (instructions / request) | metrics on | on / off |',
    '| --- | ---: | ---: | ---: |',
    ...perRequest.off.map(
      (off, i) => `| ${i + 1} | ${fmt(off)} | ${fmt(perRequest.on[i]!)} | ${ratios[i]!.toFixed(3)} |`,
    ),
    `| median | ${fmt(median(perRequest.off))} | ${fmt(median(perRequest.on))} | ${ratio.toFixed(3)} |`,
    '',
    '### How',
    '',
    `- The clock's own work, counted while each server idled ${IDLE_MS / 1000} s, is taken off each window in proportion to its length (instructions per second idle: ${fmt(idleRate.off * 1000)} with metrics off, ${fmt(idleRate.on * 1000)} on — the event-loop delay monitor's 10 ms samples; under callgrind a window lasts about 50 times longer than it would run, so left in, this work would count 50 times over against the requests).`,
    "- Instructions of each server's main thread under callgrind, as for bench:id-token (lib/callgrind.ts says what is counted and why). Two `sesame serve` processes, one worker each, default configuration (ES256, log level info to a file) on their own data dirs; one with `SESAME_METRICS_PORT` set (the counters, histograms and gauges of docs/operations.md), one without.",
    `- ${WARMUP} requests to each uninstrumented first, then ${PAIRS} pairs of windows of ${PER_WINDOW} requests, one at a time, each checked (200); afterwards the metrics port's \`sesame_tokens_issued_total\` is checked to have counted every request.`,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  if (!quick)
    writeSection('metrics', markdown, { at: new Date().toISOString(), load: [loadBefore, load1()], bars });
} finally {
  for (const target of Object.values(targets))
    if (target.server.child.exitCode === null) await target.server.stop();
  rmSync(work, { recursive: true, force: true });
}
