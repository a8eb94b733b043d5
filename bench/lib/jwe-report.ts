/**
 * The jwe section of bench/RESULTS.md: each key management family's encrypt and decrypt medians
 * for @sesame/jwt and jose, measured in the same run, and their ratio (jose's time over Sesame's:
 * above 1 is faster than jose, the issue's target on every pair).
 */
import { createRequire } from 'node:module';
import type { Bar } from './results-file.js';

export interface JweFigure {
  alg: string;
  enc: string;
  op: 'encrypt' | 'decrypt';
  /** Median time per call, µs. */
  sesame: number;
  jose: number;
}

const ratioOf = (figure: JweFigure) => figure.jose / figure.sesame;

/** One bar per pair and operation: how many times as fast as jose, target at least 1. */
export function jweBars(figures: readonly JweFigure[]): Bar[] {
  return figures.map((figure) => ({
    label: `JWE ${figure.alg} ${figure.enc} ${figure.op}`,
    ratio: ratioOf(figure),
    reference: 'jose (speed)',
    target: { value: 1, kind: 'min' },
    detail: `${figure.sesame.toFixed(1)} vs ${figure.jose.toFixed(1)} µs`,
  }));
}

/** The section's markdown. */
export function renderJwe(
  figures: readonly JweFigure[],
  run: { startedAt: Date; seconds: number; rounds: number; budgetMs: number },
): string {
  const require = createRequire(import.meta.url);
  const joseVersion = (require('jose/package.json') as { version: string }).version;
  const slower = figures.filter((figure) => ratioOf(figure) < 1);
  const lines = [
    `Run ${run.startedAt.toISOString()} (${run.seconds.toFixed(0)} s), Node ${process.version}, jose ${joseVersion}.`,
    `Each contender measured by mitata for ${run.budgetMs} ms of CPU per round, ${run.rounds} interleaved rounds`,
    "(the order rotates each round); the figure is the median of the rounds' medians. The plaintext is a",
    'small claims set; one key pair or secret per family, the same for both libraries. jose is asynchronous',
    '(WebCrypto), Sesame synchronous (node:crypto): the ratio is what a caller waits for one token.',
    '',
    '| key management | content encryption | operation | Sesame µs | jose µs | Sesame vs jose |',
    '| --- | --- | --- | ---: | ---: | ---: |',
    ...figures.map(
      (figure) =>
        `| ${figure.alg} | ${figure.enc} | ${figure.op} | ${figure.sesame.toFixed(2)} | ${figure.jose.toFixed(2)} | ${ratioOf(figure).toFixed(2)}× as fast |`,
    ),
    '',
    slower.length === 0
      ? 'Target (faster than jose on every pair): met.'
      : `Target (faster than jose on every pair): **not met** on ${slower.map((figure) => `${figure.alg} ${figure.op}`).join(', ')}.`,
  ];
  return lines.join('\n');
}
