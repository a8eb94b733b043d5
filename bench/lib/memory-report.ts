/** The `memory` section of bench/RESULTS.md, written by `npm run bench:memory`. */
import type { GuardMemory } from './memory-guard-run.js';
import type { MemoryUsage } from './server-probe.js';
import type { SoakMemory } from './soak-output.js';

export type { SoakMemory };
export type ServerPhase = MemoryUsage & { step: string };

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const perEntry = (after: number, before: number, entries: number) =>
  String(Math.round((after - before) / entries) || 0);

export interface MemoryReport {
  startedAt: Date;
  load: [number, number];
  quick: boolean;
  serverEntries: number;
  server: { phases: ServerPhase[]; notes: string[] };
  guard: GuardMemory;
  soak: SoakMemory | undefined;
}

function usageRow(step: string, usage: MemoryUsage, base: MemoryUsage, entries: number): string {
  const cost =
    entries > 0
      ? `${perEntry(usage.rss, base.rss, entries)} | ${perEntry(usage.heapUsed, base.heapUsed, entries)}`
      : '— | —';
  return `| ${step} | ${mib(usage.rss)} | ${mib(usage.heapUsed)} | ${mib(usage.heapTotal)} | ${mib(usage.external)} | ${cost} |`;
}

const HEAD = [
  '| step | RSS MiB | V8 heap used MiB | heap total MiB | external MiB | RSS B/entry | heap B/entry |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];

/** The section's markdown. */
export function memoryMarkdown(report: MemoryReport): string {
  const { server, guard, soak, serverEntries } = report;
  // The RSS of the empty server moves with GC (heap shrunk or not): the growth is measured from the
  // entries stored but not yet read, the nearest state without them in memory.
  const base = server.phases[1]!;
  const lines = [
    `Run ${report.startedAt.toISOString()}${report.quick ? ' with --quick (fewer entries, no soak)' : ''}; load average (1 min) before ${report.load[0].toFixed(2)}, after ${report.load[1].toFixed(2)} (a 2-core machine shared with other work: memory figures hardly depend on load, times do). Memory is read after a full GC (\`--expose-gc\`); per-entry figures are the growth over the state without the entries in memory, divided by the entries.`,
    '',
    `### The server: ${serverEntries.toLocaleString('en-US')} live denylist entries (SQLite, one process)`,
    '',
    ...HEAD,
    ...server.phases.map((phase, i) => usageRow(phase.step, phase, base, i < 2 ? 0 : serverEntries)),
    '',
    ...server.notes.map((note) => `- ${note}`),
    '',
    `### The guard: ${guard.entries.toLocaleString('en-US')} revocations from the feed`,
    '',
    `A process running @sesame/guard, following the real feed (Server-Sent Events) of \`sesame serve\`; the entries were added to the server's store while the guard streamed, and all had reached it ${guard.seconds.toFixed(1)} s later.`,
    '',
    ...HEAD,
    usageRow('streaming, no entries', guard.baseline, guard.baseline, 0),
    usageRow(
      `holding ${guard.loaded.entries.toLocaleString('en-US')} entries`,
      guard.loaded,
      guard.baseline,
      guard.entries,
    ),
    usageRow(
      `after ${guard.checks.toLocaleString('en-US')} token checks`,
      guard.checked,
      guard.baseline,
      guard.entries,
    ),
    '',
  ];
  if (soak === undefined) lines.push('### The soak', '', 'Not run (--quick, or --soak-seconds 0).');
  else {
    lines.push(
      `### The soak: \`bench/soak.ts --seconds ${soak.seconds}\` (${soak.passed ? 'passed' : '**failed**'})`,
      '',
      'Access tokens of 120 s in the soak, so that revocation entries expire and are purged several times over a long run.',
      '',
      ...soak.lines.filter((line) => !line.startsWith('|')).map((line) => `- ${line}`),
      '',
      ...soak.lines.filter((line) => line.startsWith('|')),
    );
  }
  return lines.join('\n');
}
