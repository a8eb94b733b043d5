/** Reads the memory figures out of bench/soak.ts's report, for `npm run bench:memory`. */

export interface SoakMemory {
  seconds: number;
  passed: boolean;
  /** One row per process: RSS after warm-up and at the end, in bytes. */
  growth: { role: string; start: number; end: number }[];
  /** The soak's own lines: throughput, errors, the RSS series table. */
  lines: string[];
}

const GROWTH = /^resident memory (.+? \d+): ([\d.]+) MiB after warm-up → ([\d.]+) MiB at the end/;
const KEEP = /^(soak:|throughput:|latency:|errors:|revoked during|resident memory over time|\|)/;

/**
 * @example parseSoak(await runNode([...TSX_IMPORT, 'bench/soak.ts', '--seconds', '60']), 60)
 */
export function parseSoak(output: string, seconds: number): SoakMemory {
  const growth: SoakMemory['growth'] = [];
  const lines: string[] = [];
  for (const line of output.split('\n')) {
    const match = GROWTH.exec(line);
    if (match !== null)
      growth.push({ role: match[1]!, start: Number(match[2]) * 2 ** 20, end: Number(match[3]) * 2 ** 20 });
    if (KEEP.test(line) || match !== null) lines.push(line);
  }
  return { seconds, passed: output.includes('soak: passed'), growth, lines };
}
