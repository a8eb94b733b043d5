/**
 * The counted process of bench/oneshot.bench.ts: builds the one-shot / prebuilt pairs of the
 * algorithms it is given (bench/lib/oneshot-cases.ts), warms every side up, and prints `ready`
 * and, per pair, one JSON line `{ alg, op, form, ns }` (ns: the time of one prebuilt call, which
 * the caller sizes its windows by). Then each line `INDEX SIDE COUNT` on stdin runs that side of
 * that pair COUNT times and answers `done`, so that the caller can zero and dump callgrind's
 * counters around exactly those calls (COUNT 0: what the line and the answer alone cost).
 *
 * Usage: node --import tsx bench/targets/oneshot.ts WARMUP ALG...
 */
import { createInterface } from 'node:readline';
import type { Algorithm } from '@sesame/jwt';
import { makeKeys } from '../keys.js';
import { type OneShotPair, oneShotPairs } from '../lib/oneshot-cases.js';

const [warmupText, ...algorithms] = process.argv.slice(2);
const warmup = Number(warmupText);
if (!Number.isInteger(warmup) || algorithms.length === 0) {
  process.stderr.write('usage: oneshot.ts WARMUP ALG...\n');
  process.exit(2);
}

const pairs: OneShotPair[] = [];
for (const alg of algorithms) pairs.push(...oneShotPairs(await makeKeys(alg as Algorithm)));

// Each result is stored where the caller could read it, so that no call can be optimised away.
export let sink: unknown;
const described = pairs.map((pair) => {
  const started = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) sink = pair.prebuilt();
  const ns = Number(process.hrtime.bigint() - started) / 20;
  // A warm-up as long in calls for every pair would take minutes on ES512 under valgrind; a few
  // milliseconds of work per side is enough for V8 to optimise code that runs a few µs per call.
  const calls = Math.max(20, Math.min(warmup, Math.round(50e6 / ns)));
  for (let i = 0; i < calls; i++) {
    sink = pair.prebuilt();
    sink = pair.oneShot();
  }
  return { alg: pair.alg, op: pair.op, form: pair.form, ns };
});
process.stdout.write('ready\n');
for (const line of described) process.stdout.write(`${JSON.stringify(line)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const [index, side, count] = line.split(' ');
  const pair = pairs[Number(index)];
  if (pair === undefined || (side !== 'prebuilt' && side !== 'oneShot')) {
    process.stderr.write(`bad command: ${line}\n`);
    process.exit(2);
  }
  const fn = pair[side];
  for (let i = 0, n = Number(count); i < n; i++) sink = fn();
  process.stdout.write('done\n');
});
