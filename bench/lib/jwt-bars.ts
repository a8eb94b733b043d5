/**
 * The JWT core's ratios for the summary and the chart: for the algorithms the server and the guard
 * use most, the fastest peer's time over Sesame's (at least 1.00× means Sesame is the fastest of
 * the four libraries, the core's target). Every algorithm is in the JWT section's own tables.
 */
import type { Figure } from '../report.js';
import type { Bar } from './results-file.js';

const CHARTED = ['ES256', 'EdDSA', 'RS256', 'HS256'] as const;
const PEERS = ['fast-jwt', 'jose', 'jsonwebtoken'] as const;

/** One bar per charted algorithm and operation present in the figures. */
export function jwtBars(figures: readonly Figure[]): Bar[] {
  const bars: Bar[] = [];
  for (const alg of CHARTED) {
    for (const op of ['sign', 'verify'] as const) {
      const at = (name: string) => figures.find((f) => f.alg === alg && f.op === op && f.name === name);
      const mine = at('sesame');
      const peers = PEERS.map(at).filter((f): f is Figure => f !== undefined);
      if (mine === undefined || peers.length === 0) continue;
      const fastest = peers.reduce((a, b) => (b.p50 < a.p50 ? b : a));
      bars.push({
        label: `${alg} ${op}`,
        ratio: fastest.p50 / mine.p50,
        reference: `fastest peer (${fastest.name})`,
        target: { kind: 'min', value: 1 },
        detail: `${(mine.p50 / 1000).toFixed(1)} vs ${(fastest.p50 / 1000).toFixed(1)} µs`,
      });
    }
  }
  return bars;
}
