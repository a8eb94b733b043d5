/**
 * `npm run bench`: signs and verifies with @sesame/jwt, fast-jwt, jose and jsonwebtoken, and the
 * floor, for every algorithm, in interleaved rounds measured with mitata; then writes its section
 * of bench/RESULTS.md.
 *
 * `npm run bench -- HS256 ES256` runs only those algorithms and prints, without writing RESULTS.md:
 * the committed results always come from a full run.
 */
import os from 'node:os';
import { ALGORITHMS, type Algorithm } from '@sesame/jwt';
import { do_not_optimize, measure } from 'mitata';
import { checkContenders } from './check.js';
import { makeKeys } from './keys.js';
import { jwtBars } from './lib/jwt-bars.js';
import { writeSection } from './lib/results-file.js';
import { type Figure, renderResults, verdict } from './report.js';
import { CLAIMS, contenders } from './scenario.js';

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
for (const alg of requested) {
  if (!ALGORITHMS.includes(alg as Algorithm)) throw new Error(`unknown algorithm ${alg}`);
}
const algorithms = requested.length > 0 ? (requested as Algorithm[]) : [...ALGORITHMS];
const full = requested.length === 0;

const startedAt = new Date();
const loadBefore = os.loadavg();

/**
 * Contenders are measured side by side: in each round every contender of one algorithm and
 * operation is measured once (mitata's `measure`, a short time budget each), in an order that rotates
 * from round to round. A figure is the median over the rounds of its per-round median, so a burst of
 * load from a neighbour on the shared cores hits all contenders of a round alike instead of deciding
 * a whole comparison, as one long block per contender would.
 */
const ROUNDS = Number(process.env.SESAME_BENCH_ROUNDS ?? 7);
const BUDGET_NS = 60e6;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const figures: Figure[] = [];
for (const [index, alg] of algorithms.entries()) {
  const keys = await makeKeys(alg);
  const token = await checkContenders(keys, CLAIMS);
  const all = contenders(keys, CLAIMS);
  const payload = CLAIMS.payload;
  for (const op of ['sign', 'verify'] as const) {
    const rounds = new Map<string, { p50: number[]; avg: number[]; p99: number[]; samples: number }>();
    for (let round = 0; round < ROUNDS; round++) {
      const shift = (index + round) % all.length;
      for (const c of [...all.slice(shift), ...all.slice(0, shift)]) {
        // An asynchronous contender's promise is returned, so that mitata awaits it: do_not_optimize
        // returns nothing, and a promise left behind would time only the synchronous part of the work.
        const fn =
          op === 'sign'
            ? c.async
              ? () => c.sign(payload)
              : () => do_not_optimize(c.sign(payload))
            : c.async
              ? () => c.verify(token)
              : () => do_not_optimize(c.verify(token));
        const stats = await measure(fn, { min_cpu_time: BUDGET_NS });
        const entry = rounds.get(c.name) ?? { p50: [], avg: [], p99: [], samples: 0 };
        entry.p50.push(stats.p50);
        entry.avg.push(stats.avg);
        entry.p99.push(stats.p99);
        entry.samples += stats.samples.length;
        rounds.set(c.name, entry);
      }
    }
    for (const [name, entry] of rounds) {
      const figure = {
        alg,
        op,
        name,
        p50: median(entry.p50),
        avg: median(entry.avg),
        p99: median(entry.p99),
        samples: entry.samples,
      };
      figures.push(figure);
      console.log(`${alg} ${op} ${name}: ${(figure.p50 / 1000).toFixed(2)} µs`);
    }
  }
}

const v = verdict(figures);
console.log(
  `\nSesame fastest everywhere: ${v.fastest ? 'yes' : `no — ${v.losses.join('; ')}`}` +
    (v.hs256Floor === undefined ? '' : `\nHS256 verify / floor: ${v.hs256Floor.toFixed(2)}×`),
);

if (full) {
  const markdown = renderResults(figures, {
    startedAt,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    loadBefore,
    loadAfter: os.loadavg(),
    command: 'npm run bench',
  });
  writeSection('jwt', markdown, { at: startedAt.toISOString(), bars: jwtBars(figures) });
  console.log('wrote the jwt section of bench/RESULTS.md and bench/results.svg');
}
