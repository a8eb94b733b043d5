/**
 * `npm run bench`: signs and verifies with @sesame/jwt, fast-jwt, jose and jsonwebtoken, and the
 * floor, for every algorithm, in one mitata run; then writes bench/RESULTS.md.
 *
 * `npm run bench -- HS256 ES256` runs only those algorithms and prints, without writing RESULTS.md:
 * the committed results always come from a full run.
 */
import os from 'node:os';
import { ALGORITHMS, type Algorithm } from '@sesame/jwt';
import { bench, do_not_optimize, group, run } from 'mitata';
import { checkContenders } from './check.js';
import { makeKeys } from './keys.js';
import { jwtBars } from './lib/jwt-bars.js';
import { writeSection } from './lib/results-file.js';
import { type Figure, type Operation, renderResults, verdict } from './report.js';
import { CLAIMS, contenders } from './scenario.js';

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
for (const alg of requested) {
  if (!ALGORITHMS.includes(alg as Algorithm)) throw new Error(`unknown algorithm ${alg}`);
}
const algorithms = requested.length > 0 ? (requested as Algorithm[]) : [...ALGORITHMS];
const full = requested.length === 0;

const startedAt = new Date();
const loadBefore = os.loadavg();

for (const [index, alg] of algorithms.entries()) {
  const keys = await makeKeys(alg);
  const token = await checkContenders(keys, CLAIMS);
  // The running order rotates from one algorithm to the next, so that no contender is always the
  // first (or last) of its group.
  const all = contenders(keys, CLAIMS);
  const shift = index % all.length;
  const list = [...all.slice(shift), ...all.slice(0, shift)];
  const payload = CLAIMS.payload;
  // An asynchronous contender's promise is returned, so that mitata awaits it: do_not_optimize
  // returns nothing, and a promise left behind would time only the synchronous part of the work.
  group(`${alg} sign`, () => {
    for (const c of list) {
      bench(
        `${alg} sign ${c.name}`,
        c.async ? () => c.sign(payload) : () => do_not_optimize(c.sign(payload)),
      );
    }
  });
  group(`${alg} verify`, () => {
    for (const c of list) {
      bench(
        `${alg} verify ${c.name}`,
        c.async ? () => c.verify(token) : () => do_not_optimize(c.verify(token)),
      );
    }
  });
}

const { benchmarks } = await run({ format: 'mitata', colors: process.stdout.isTTY });

const figures: Figure[] = [];
for (const trial of benchmarks) {
  for (const result of trial.runs) {
    if (result.error !== undefined || result.stats === undefined) {
      throw new Error(`${result.name} failed: ${String(result.error)}`);
    }
    const [alg, op, name] = result.name.split(' ') as [string, Operation, string];
    const { p50, avg, p99, samples } = result.stats;
    figures.push({ alg, op, name, p50, avg, p99, samples: samples.length });
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
