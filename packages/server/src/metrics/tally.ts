/**
 * Counters of the hot path (every request, every token) counted as plain numbers, handed to
 * prom-client when Prometheus scrapes: prom-client's `inc` builds a string of the labels and checks
 * each label name on every call, which bench:metrics found to be a good part of what the metrics
 * cost a request. The exposition is the same: each scrape adds to the prom-client counter what was
 * counted since the last one, so it stays monotonic and a worker's sum (cluster.ts) is unchanged.
 */
import { Counter, type Registry } from 'prom-client';

/** One series of a tallied counter: `n` only grows. */
export interface Tally {
  n: number;
}

export interface TalliedCounter<L extends string> {
  /** The series of these label values (made once per label set: keep what it answers). */
  series(labels: Record<L, string>): Tally;
}

/**
 * @example
 * const issued = talliedCounter({ name: 'sesame_tokens_issued_total', help, labelNames: ['grant_type'], registers });
 * issued.series({ grant_type: 'password' }).n++;
 */
export function talliedCounter<L extends string>(options: {
  name: string;
  help: string;
  labelNames?: readonly L[];
  registers: Registry[];
}): TalliedCounter<L> {
  const all: { labels: Record<L, string>; tally: Tally; told: number }[] = [];
  new Counter<L>({
    ...options,
    labelNames: options.labelNames ?? [],
    collect() {
      for (const series of all) {
        const since = series.tally.n - series.told;
        if (since === 0) continue;
        this.inc(series.labels, since);
        series.told += since;
      }
    },
  });
  return {
    series(labels) {
      const tally = { n: 0 };
      all.push({ labels: { ...labels }, tally, told: 0 });
      return tally;
    },
  };
}

/** The map under `key` in `outer`, made empty the first time. */
export function inner<K, K2, T>(outer: Map<K, Map<K2, T>>, key: K): Map<K2, T> {
  let map = outer.get(key);
  if (map === undefined) {
    map = new Map();
    outer.set(key, map);
  }
  return map;
}
