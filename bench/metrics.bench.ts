/**
 * `npm run bench:metrics`: what Prometheus metrics cost on the token path, counted in
 * instructions (lib/callgrind.ts). One process under callgrind (targets/metrics-host.ts) serves
 * three Sesame apps over one store: `off` and `off2` without metrics, `on` with them (the metrics
 * of `sesame serve` with metricsPort set). client_credentials requests (client_secret_basic, one
 * at a time) go to each in turn, in windows of `--per-window` requests, `--pairs` rounds after
 * `--warmup` requests each (uninstrumented). on/off is the cost; off2/off, two apps alike, shows
 * what the method can tell apart. The target: metrics cost at most 3 % of the CPU per
 * request.
 *
 * Flags: `--warmup N` (default 1000), `--pairs N` (5), `--per-window N` (150), `--quick`
 * (200 / 2 / 50, no file written).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countedRunFlags, median } from './lib/callgrind.js';
import { load1 } from './lib/machine.js';
import { clientCredentials, type Host, startHost } from './lib/metrics-host.js';
import { runNode } from './lib/processes.js';
import { type Bar, writeSection } from './lib/results-file.js';
import { addClient, SESAME_CLI } from './lib/sesame.js';

const { quick, warmup: WARMUP, pairs: PAIRS, perWindow: PER_WINDOW } = countedRunFlags('bench:metrics');
const IDLE_MS = quick ? 5_000 : 10_000;
const KINDS = ['off', 'on', 'off2'] as const;
type Kind = (typeof KINDS)[number];

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SESAME_')));
const work = mkdtempSync(join(tmpdir(), 'sesame-metrics-'));
const dataDir = join(work, 'data');
const loadBefore = load1();
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const spread = (values: readonly number[]) =>
  `${Math.min(...values).toFixed(3)}×–${Math.max(...values).toFixed(3)}×`;

const client = await addClient(
  {
    cli: (args) =>
      runNode([SESAME_CLI, ...args, '--data-dir', dataDir], { env: env as Record<string, string> }),
  },
  'bench-metrics',
  'client_credentials',
  'api',
);
let host: Host | undefined;
try {
  host = startHost(dataDir, work, env);
  const h = host;
  const issuers = {} as Record<Kind, string>;
  let metricsUrl = '';
  const build = async (kind: Kind) => {
    const built = await h.command(`app ${kind} ${kind === 'on' ? 'metrics' : 'plain'}`);
    issuers[kind] = `http://127.0.0.1:${built.port}`;
    if (built.metricsPort) metricsUrl = `http://127.0.0.1:${built.metricsPort}/metrics`;
  };
  // Each counted span: a full collection first (uncounted), then zero, the span, dump; again (up to
  // 20 times) while a keyring reload fell in it. Dumps are labelled by their order; `spans` says
  // which label each clean one stands for and how long it lasted.
  const spans: { dump: string; label: string; ms: number }[] = [];
  let dumps = 0;
  const counted = async (label: string, run: () => Promise<unknown>) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = (await h.command('gc')).reloads;
      const dump = `span-${++dumps}`;
      h.counted.zero();
      const started = performance.now();
      await run();
      const ms = performance.now() - started;
      h.counted.dump(dump);
      if ((await h.command('reloads')).reloads === before) return void spans.push({ dump, label, ms });
    }
    throw new Error(`${label}: a keyring reload fell in 20 windows running`);
  };
  // a measured span, not a wait for an event
  const idle = (label: string) =>
    counted(label, () => new Promise((resolve) => setTimeout(resolve, IDLE_MS)));
  await build('off');
  h.counted.instrument();
  await idle('idle-off');
  await build('off2');
  await idle('idle-off2');
  await build('on');
  await idle('idle-on');
  h.counted.instrument(false);
  for (let done = 0; done < WARMUP; done += 200)
    for (const kind of KINDS) await clientCredentials(issuers[kind], client, Math.min(200, WARMUP - done));
  h.counted.instrument();
  for (const kind of KINDS) await clientCredentials(issuers[kind], client, 20);
  let sentToOn = WARMUP + 20; // a window that is counted again sends its requests again
  // Each round starts at another app, so no app always follows the same one.
  for (let round = 0; round < PAIRS; round++) {
    for (let i = 0; i < KINDS.length; i++) {
      const kind = KINDS[(round + i) % KINDS.length]!;
      await counted(kind, async () => {
        await clientCredentials(issuers[kind], client, PER_WINDOW);
        if (kind === 'on') sentToOn += PER_WINDOW;
      });
    }
  }
  await idle('idle-end');
  // The metrics really counted the on app's requests (metrics that recorded nothing would cost nothing).
  const exposition = await (await fetch(metricsUrl)).text();
  const issued = /^sesame_tokens_issued_total\{[^}]*grant_type="client_credentials"[^}]*\} (\d+)/m.exec(
    exposition,
  );
  if (issued === null || Number(issued[1]) !== sentToOn)
    throw new Error(`the metrics did not count the on app's requests: ${issued?.[0] ?? 'no series'}`);

  const dumped = new Map((await h.stop()).map((c) => [c.label, c.instructions]));
  const of = (label: string) =>
    spans.filter((s) => s.label === label).map((s) => ({ instructions: dumped.get(s.dump)!, ms: s.ms }));
  const perSecond = (label: string) => (of(label)[0]!.instructions / of(label)[0]!.ms) * 1000;
  const redone = dumps - spans.length;
  // The rate with all three apps, after the warm-up, as during the windows.
  const clockPerMs = perSecond('idle-end') / 1000;
  const perRequest = {} as Record<Kind, number[]>;
  const raw = {} as Record<Kind, number[]>;
  for (const kind of KINDS) {
    const windows = of(kind);
    if (windows.length !== PAIRS || windows.some((w) => w.instructions === undefined))
      throw new Error(`${kind}: ${windows.length} windows counted`);
    raw[kind] = windows.map((w) => w.instructions / PER_WINDOW);
    perRequest[kind] = windows.map((w) => (w.instructions - clockPerMs * w.ms) / PER_WINDOW);
  }
  const ratios = perRequest.on.map((on, i) => on / perRequest.off[i]!);
  const control = perRequest.off2.map((off2, i) => off2 / perRequest.off[i]!);
  const rawRatios = raw.on.map((on, i) => on / raw.off[i]!);
  const ratio = median(ratios);
  const metricsPerSecond =
    perSecond('idle-on') - perSecond('idle-off2') - (perSecond('idle-off2') - perSecond('idle-off'));
  const bars: Bar[] = [
    {
      label: 'metrics on: instructions per client_credentials request',
      ratio,
      reference: 'an app without metrics in the same process',
      target: { value: 1.03, kind: 'max' },
      detail: `${fmt(median(perRequest.on))} vs ${fmt(median(perRequest.off))} instructions`,
    },
  ];
  const markdown = [
    '### Target',
    '',
    `- Prometheus metrics cost at most 3 % of the CPU per token request: ${ratio <= 1.03 ? '**met**' : '**not met**'} — with metrics on, a client_credentials request runs ${((ratio - 1) * 100).toFixed(1)} % more instructions than without (median of ${PAIRS} rounds: ${ratio.toFixed(3)}×, rounds ${spread(ratios)}). Two apps without metrics, measured the same way: ${median(control).toFixed(3)}× (rounds ${spread(control)}).`,
    `- Apart from requests, the metrics cost ${fmt(metricsPerSecond)} instructions per second of the clock (the default metrics' event-loop delay monitor samples every 10 ms), whether or not requests come.`,
    '',
    '### Figures',
    '',
    '| round | off (instructions / request) | on | off2 | on / off | off2 / off |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...perRequest.off.map(
      (off, i) =>
        `| ${i + 1} | ${fmt(off)} | ${fmt(perRequest.on[i]!)} | ${fmt(perRequest.off2[i]!)} | ${ratios[i]!.toFixed(3)} | ${control[i]!.toFixed(3)} |`,
    ),
    `| median | ${fmt(median(perRequest.off))} | ${fmt(median(perRequest.on))} | ${fmt(median(perRequest.off2))} | ${ratio.toFixed(3)} | ${median(control).toFixed(3)} |`,
    '',
    '### How',
    '',
    `- Run: \`npm run bench:metrics -- ${process.argv.slice(2).join(' ')}\` on commit ${commit}.`,
    '- What is counted: the instructions of the main thread of one node process under callgrind (lib/callgrind.ts says why the main thread), between a zero and a dump around each window of requests. The process (bench/targets/metrics-host.ts) builds three apps from the compiled server as `sesame serve` does (buildApp over one SQLite store, default configuration: ES256, log level info to stdout), each listening on a port of its own; `on` counts the metrics of docs/operations.md (createMetrics, the default metrics, a metrics port), `off` and `off2` do not. One heap, one JIT, one store for all three: the windows differ by the app that answers them.',
    `- ${WARMUP} requests to each app uninstrumented, 20 instrumented, then ${PAIRS} rounds of one window of ${PER_WINDOW} requests to each app, each round starting at the next app; a full collection (node --expose-gc) before each window, uncounted, so that a major collection falling in one window and not the next does not decide a round — the minor collections the requests cause stay counted. Each app's keyring reloads its keys from the store every 30 s by the clock (a few million instructions: it imports each public key again); a window in which one fell (the process counts the store reads a reload makes) was counted again — ${redone} of ${dumps} counted spans were. Every answer is checked (200), and the metrics port's \`sesame_tokens_issued_total\` is checked to have counted exactly the on app's requests.`,
    `- The clock's own work (timers run by wall time, which under callgrind is about 50 times longer per request) is counted while the process idles ${IDLE_MS / 1000} s after the windows (${fmt(perSecond('idle-end'))} instructions per second, all three apps) and taken off each window in proportion to its length. Without this, on/off would be ${median(rawRatios).toFixed(3)}× (rounds ${spread(rawRatios)}). The metrics' own share of it is the second figure above: idle windows counted with \`off\` alone (${fmt(perSecond('idle-off'))} /s), with \`off2\` added (${fmt(perSecond('idle-off2'))} /s) and with \`on\` added (${fmt(perSecond('idle-on'))} /s); the metrics' share is what \`on\` added beyond what \`off2\` did.`,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  if (!quick)
    writeSection('metrics', markdown, { at: new Date().toISOString(), load: [loadBefore, load1()], bars });
} finally {
  if (host && host.counted.child.exitCode === null) await host.counted.stop();
  rmSync(work, { recursive: true, force: true });
}
