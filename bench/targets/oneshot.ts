/**
 * The counted process of bench/oneshot.bench.ts: builds the one-shot / prebuilt pairs of the
 * algorithms it is given (bench/lib/oneshot-cases.ts), warms every side up, and prints `ready`
 * and, per pair, one JSON line `{ alg, op, form }`. Then each line `INDEX SIDE COUNT` on stdin runs that side of
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
const warm = (pair: OneShotPair, calls: number) => {
  for (let i = 0; i < calls; i++) {
    sink = pair.prebuilt();
    sink = pair.oneShot();
  }
};
// V8 optimises a function after some thousands of calls; the JavaScript of sign and verify is the
// same for every algorithm, so HS256 pairs, a few µs a call, warm it fully, and the measured
// pairs run their own types through it. Slow signatures are warmed with fewer calls: 300 ES512
// signatures take 10 s under valgrind.
if (!algorithms.includes('HS256'))
  for (const pair of oneShotPairs(await makeKeys('HS256'))) warm(pair, warmup);
for (const pair of pairs) warm(pair, pair.alg.startsWith('HS') ? warmup : Math.min(warmup, 300));
process.stdout.write('ready\n');
for (const { alg, op, form } of pairs) process.stdout.write(`${JSON.stringify({ alg, op, form })}\n`);

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
