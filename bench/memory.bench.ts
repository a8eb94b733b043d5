/**
 * `npm run bench:memory [-- --quick] [-- --soak-seconds N]`: what revocations cost in memory.
 *
 * 1. The server: `sesame serve` (SQLite, one process) with 1,000,000 live jti entries in its
 *    denylist (100,000 with --quick), written straight into its store (bench/lib/denylist-rows.ts);
 *    the server reads them as it reads any revocation made by the CLI or a sibling worker. Resident
 *    memory and V8 heap (after a full GC, bench/lib/memory-probe.mjs) with an empty denylist, with
 *    the entries stored but not yet read, after the first check has read them all, after
 *    introspection traffic, and after a client has read the whole revocation feed; CPU time per
 *    introspection with and without the entries, side by side.
 * 2. The guard: a process running @sesame/guard (bench/lib/memory-guard.ts) following the real
 *    feed (Server-Sent Events) of a real server, before and after 100,000 revocations reach it
 *    (10,000 with --quick), and after token checks.
 * 3. The soak (bench/soak.ts, 60 s by default, none with --quick): resident memory of the server
 *    and the guard's process over time; at most 1.20× growth after warm-up.
 * Writes the `memory` section of bench/RESULTS.md.
 */

import { runNode as runAny } from '@sesame/testkit';
import { addJtiRevocations } from './lib/denylist-rows.js';
import { load1 } from './lib/machine.js';
import { type GuardMemory, measureGuard } from './lib/memory-guard-run.js';
import { memoryMarkdown, type ServerPhase, type SoakMemory } from './lib/memory-report.js';
import { cpuSeconds, ROOT, TSX_IMPORT } from './lib/processes.js';
import { type Bar, writeSection } from './lib/results-file.js';
import { probeMemory } from './lib/server-probe.js';
import { addClient, basic, postForm, startSesame } from './lib/sesame.js';
import { parseSoak } from './lib/soak-output.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SERVER_ENTRIES = QUICK ? 100_000 : 1_000_000;
const GUARD_ENTRIES = QUICK ? 10_000 : 100_000;
const soakAt = args.indexOf('--soak-seconds');
const SOAK_SECONDS = soakAt === -1 ? (QUICK ? 0 : 60) : Number(args[soakAt + 1]);
const TRAFFIC_SECONDS = QUICK ? 5 : 15;
const CONCURRENCY = 8;
const loadBefore = load1();
const startedAt = new Date();

async function measureServer(): Promise<{ phases: ServerPhase[]; notes: string[]; bars: Bar[] }> {
  const sesame = await startSesame({
    nodeArgs: ['--expose-gc', '--import', './bench/lib/memory-probe.mjs'],
  });
  try {
    const service = await addClient(sesame, 'memory-service', 'client_credentials', 'api', [
      '--permission',
      'introspect',
      '--permission',
      'revocations',
    ]);
    const auth = basic(service);
    const { access_token: token } = await postForm(
      `${sesame.issuer}/oauth/token`,
      { grant_type: 'client_credentials', scope: 'api' },
      auth,
    );
    const introspect = () => postForm(`${sesame.issuer}/oauth/introspect`, { token: String(token) }, auth);
    /** CONCURRENCY clients introspecting for TRAFFIC_SECONDS: CPU µs per request of the server. */
    const traffic = async () => {
      const cpuBefore = cpuSeconds(sesame.pid) ?? 0;
      const until = Date.now() + TRAFFIC_SECONDS * 1000;
      let requests = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (Date.now() < until) {
            const answer = await introspect();
            if (answer.active !== true) throw new Error('the service token should be active');
            requests++;
          }
        }),
      );
      return { requests, cpuMicros: (((cpuSeconds(sesame.pid) ?? 0) - cpuBefore) * 1e6) / requests };
    };
    const phases: ServerPhase[] = [];
    const probe = async (step: string) => phases.push({ step, ...(await probeMemory(sesame)) });

    await traffic(); // warm-up: the JIT, the pools, the first-request paths, before either measure
    const empty = await traffic();
    await probe('empty denylist, after introspection traffic');
    const inserted = addJtiRevocations(sesame.dataDir, SERVER_ENTRIES);
    await probe(`${SERVER_ENTRIES.toLocaleString('en-US')} entries in the store, not yet read`);
    const readStarted = performance.now();
    await introspect();
    const readSeconds = (performance.now() - readStarted) / 1000;
    await probe('after the first check (the denylist has read every entry)');
    const full = await traffic();
    await probe('after introspection traffic');
    const feedStarted = performance.now();
    let cursor = '';
    let fed = 0;
    for (;;) {
      const response = await fetch(`${sesame.issuer}/oauth/revocations?limit=1000&since=${cursor}`, {
        headers: { authorization: auth },
      });
      const page = (await response.json()) as { entries: unknown[]; cursor?: string; more?: boolean };
      fed += page.entries.length;
      cursor = page.cursor ?? cursor;
      if (page.more !== true) break;
    }
    const feedSeconds = (performance.now() - feedStarted) / 1000;
    if (fed < SERVER_ENTRIES) throw new Error(`the feed served ${fed} entries, not ${SERVER_ENTRIES}`);
    await probe('after a client has read the whole feed');

    const notes = [
      `${SERVER_ENTRIES.toLocaleString('en-US')} jti entries (random UUIDs, expiring in 16 min) inserted into the store in ${inserted.seconds.toFixed(1)} s; the first check afterwards took ${readSeconds.toFixed(1)} s (the denylist reads them, 1,000 a page); the whole feed (${fed.toLocaleString('en-US')} entries, JSON pages of 1,000) was read in ${feedSeconds.toFixed(1)} s.`,
      `Introspection traffic (${CONCURRENCY} clients, ${TRAFFIC_SECONDS} s each time): ${empty.cpuMicros.toFixed(0)} µs of server CPU per request with an empty denylist (${empty.requests} requests), ${full.cpuMicros.toFixed(0)} µs with the entries (${full.requests} requests).`,
    ];
    const bars: Bar[] = [
      {
        label: `introspection CPU per request, ${SERVER_ENTRIES.toLocaleString('en-US')} denylist entries`,
        ratio: full.cpuMicros / empty.cpuMicros,
        reference: 'an empty denylist',
        detail: `${full.cpuMicros.toFixed(0)} vs ${empty.cpuMicros.toFixed(0)} µs`,
      },
    ];
    return { phases, notes, bars };
  } finally {
    await sesame.dispose();
  }
}

async function measureSoak(): Promise<SoakMemory | undefined> {
  if (SOAK_SECONDS <= 0) return undefined;
  // Its report is on stdout whether it passed or not (a failed soak exits 1 after printing it).
  const { stdout, stderr } = await runAny(
    [...TSX_IMPORT, 'bench/soak.ts', '--seconds', String(SOAK_SECONDS)],
    {
      cwd: ROOT,
    },
  );
  return parseSoak(`${stdout}\n${stderr}`, SOAK_SECONDS);
}

const server = await measureServer();
const guard: GuardMemory = await measureGuard(GUARD_ENTRIES);
const soak = await measureSoak();
const loadAfter = load1();

const bars: Bar[] = [...server.bars];
for (const row of soak?.growth ?? []) {
  bars.push({
    label: `soak ${SOAK_SECONDS} s: RSS of ${row.role}`,
    ratio: row.end / row.start,
    reference: 'after warm-up',
    target: { value: 1.2, kind: 'max' },
    detail: `${(row.start / 2 ** 20).toFixed(1)} → ${(row.end / 2 ** 20).toFixed(1)} MiB`,
  });
}
const markdown = memoryMarkdown({
  startedAt,
  load: [loadBefore, loadAfter],
  quick: QUICK,
  serverEntries: SERVER_ENTRIES,
  server,
  guard,
  soak,
});
writeSection('memory', markdown, { at: startedAt.toISOString(), load: [loadBefore, loadAfter], bars });
process.stdout.write(`${markdown}\n`);
