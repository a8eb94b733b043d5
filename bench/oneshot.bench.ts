/**
 * `npm run bench:oneshot`: what the one-shot `verify(token, key, options)` and `sign(payload, key,
 * options)` of @sesame/jwt cost against the prebuilt `createVerifier` / `createSigner` doing the
 * same work, for every algorithm and key form (bench/lib/oneshot-cases.ts); then writes its
 * section of bench/RESULTS.md.
 *
 * Counted in instructions (lib/callgrind.ts), not timed: on this shared 2-core machine two timed
 * windows of the same call, side by side, differed by up to 4× under a neighbour's load, so a 1.3×
 * line could not be told from noise; instruction counts repeat within a few percent whatever else
 * runs. What separates a one-shot call from the prebuilt one is JavaScript on the same thread, the
 * kind of work instructions count faithfully.
 *
 * `npm run bench:oneshot -- HS256 ES256` counts only those algorithms and prints, without writing;
 * `--pairs N` (default 3), `--per-window N` (100), `--warmup N` (3000) and `--quick` (no file written).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ALGORITHMS, type Algorithm } from '@sesame/jwt';
import { countedRunFlags } from './lib/callgrind.js';
import { countPairs } from './lib/oneshot-count.js';
import { ONE_SHOT_TARGET, type PairFigure, renderOneShot, worstBars } from './lib/oneshot-report.js';
import { writeSection } from './lib/results-file.js';

// Defaults of its own: 3,000 warm-up calls (with 200, V8 had not yet optimised the option matching
// and one-shot HS256 sign counted 1.27× instead of 1.03×), and HMAC windows of 100 calls.
const DEFAULTS: Record<string, string> = { '--warmup': '3000', '--pairs': '3', '--per-window': '100' };
const args = process.argv.slice(2);
for (const [flag, value] of Object.entries(DEFAULTS)) {
  if (!args.includes(flag) && !args.includes('--quick')) args.push(flag, value);
}
const run = countedRunFlags('bench:oneshot', args);
const VALUED = new Set(['--pairs', '--per-window', '--warmup']);
const requested = process.argv
  .slice(2)
  .filter((arg, i, all) => !arg.startsWith('-') && !VALUED.has(all[i - 1] ?? ''));
for (const alg of requested) {
  if (!ALGORITHMS.includes(alg as Algorithm)) throw new Error(`unknown algorithm ${alg}`);
}
const algorithms = requested.length > 0 ? (requested as Algorithm[]) : [...ALGORITHMS];
const startedAt = new Date();
const loadBefore = os.loadavg()[0]!;

const figures: PairFigure[] = [];
for (const alg of algorithms) {
  // One process per algorithm: its dumps are read and deleted before the next one starts.
  const work = mkdtempSync(join(os.tmpdir(), 'sesame-oneshot-'));
  try {
    for (const figure of await countPairs(alg, run, join(work, 'out'))) {
      figures.push(figure);
      console.log(
        `${alg} ${figure.op} (${figure.form}): one-shot ${fmt(figure.oneShot)}, prebuilt ${fmt(figure.prebuilt)} ` +
          `instructions/call, ${figure.ratio.toFixed(2)}× (pairs ${figure.low.toFixed(2)}–${figure.high.toFixed(2)})`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const worst = figures.reduce((a, b) => (b.ratio > a.ratio ? b : a));
console.log(
  `\nworst one-shot / prebuilt: ${worst.ratio.toFixed(2)}× (${worst.alg} ${worst.op}, ${worst.form}); ` +
    `target ≤ ${ONE_SHOT_TARGET}×: ${worst.ratio <= ONE_SHOT_TARGET ? 'met' : 'not met'}`,
);

if (requested.length === 0 && !run.quick) {
  const markdown = renderOneShot(figures, {
    startedAt,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    run,
    command: [
      'npm run bench:oneshot',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
  });
  const load: [number, number] = [loadBefore, os.loadavg()[0]!];
  writeSection('oneshot', markdown, { at: startedAt.toISOString(), load, bars: worstBars(figures) });
  console.log('wrote the oneshot section of bench/RESULTS.md and bench/results.svg');
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
