/**
 * Counts the instructions of each side of every one-shot / prebuilt pair of one algorithm, in one
 * process under callgrind (bench/targets/oneshot.ts).
 *
 * The process warms every side up uninstrumented (targets/oneshot.ts), then, per pair, runs pairs of windows: the
 * prebuilt side and the one-shot side (which goes first alternates), each between a zero and a
 * dump of the counters, and an empty window (the command line and the answer alone), whose count
 * is taken off both. A window is `perWindow` calls for HMAC, a tenth as many (at least 8) for the
 * algorithms whose signatures take 5 to 300 times longer, so that ES512 does not take an hour.
 */
import type { Algorithm } from '@sesame/jwt';
import { type CountedRun, lineReader, median, startCounted } from './callgrind.js';
import type { KeyForm } from './oneshot-cases.js';
import type { PairFigure } from './oneshot-report.js';
import { ROOT, TSX_IMPORT } from './processes.js';

interface Described {
  alg: Algorithm;
  op: 'sign' | 'verify';
  form: KeyForm;
}

/** Every pair of one algorithm: instructions per call of each side, and their ratio. */
export async function countPairs(alg: Algorithm, run: CountedRun, outFile: string): Promise<PairFigure[]> {
  const counted = startCounted(
    [...TSX_IMPORT, 'bench/targets/oneshot.ts', String(run.warmup), alg],
    outFile,
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
  let stderr = '';
  counted.child.stderr!.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const next = lineReader(counted);
  const command = async (line: string) => {
    counted.child.stdin!.write(`${line}\n`);
    const answer = await next();
    if (answer !== 'done')
      throw new Error(`targets/oneshot.ts ${alg}: ${answer ?? 'no answer'} to ${line}: ${stderr}`);
  };

  if ((await next()) !== 'ready') throw new Error(`targets/oneshot.ts ${alg} did not start`);
  const described: Described[] = [];
  for (let i = 0; i < 3; i++) described.push(JSON.parse((await next())!) as Described);
  // HMAC calls take µs; a signature of the others takes 20 µs (RSA verify) to 1.6 ms (ES512 sign).
  const n = alg.startsWith('HS') ? run.perWindow : Math.max(8, Math.round(run.perWindow / 10));
  const calls = described.map(() => n);
  counted.instrument();
  for (const [index, n] of calls.entries()) {
    await command(`${index} prebuilt ${n}`); // instrumented code translated once, not counted
    await command(`${index} oneShot ${n}`);
  }
  for (const [index, n] of calls.entries()) {
    for (let pair = 0; pair < run.pairs; pair++) {
      const sides = pair % 2 === 0 ? ['prebuilt', 'oneShot'] : ['oneShot', 'prebuilt'];
      for (const side of [...sides, 'empty']) {
        counted.zero();
        await command(`${index} ${side === 'empty' ? 'prebuilt' : side} ${side === 'empty' ? 0 : n}`);
        counted.dump(`p${index}-${side}`);
      }
    }
  }
  counted.child.stdin!.end();
  const counts = await counted.stop();

  return described.map((d, index) => {
    const of = (side: string) =>
      counts.filter((c) => c.label === `p${index}-${side}`).map((c) => c.instructions);
    const empty = median(of('empty'));
    const prebuilt = of('prebuilt').map((total) => (total - empty) / calls[index]!);
    const oneShot = of('oneShot').map((total) => (total - empty) / calls[index]!);
    if (prebuilt.length !== run.pairs || oneShot.length !== run.pairs) {
      throw new Error(`${alg} ${d.op} ${d.form}: expected ${run.pairs} windows of each side`);
    }
    const ratios = oneShot.map((value, i) => value / prebuilt[i]!);
    return {
      alg,
      op: d.op,
      form: d.form,
      prebuilt: median(prebuilt),
      oneShot: median(oneShot),
      ratio: median(ratios),
      low: Math.min(...ratios),
      high: Math.max(...ratios),
    };
  });
}
