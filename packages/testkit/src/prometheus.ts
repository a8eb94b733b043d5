/**
 * Prometheus' text format read by a real parser: the Python client's own
 * (`prometheus_client.parser`, Debian's python3-prometheus-client, run by /usr/bin/python3), so a
 * test sees the exposition as Prometheus tooling does and fails on one it would refuse.
 */
import { execFileSync } from 'node:child_process';

/** One sample: its name (with _total, _bucket, ...), labels and value. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family: its name (a counter's without _total), type and samples (maybe none). */
export interface PromFamily {
  name: string;
  type: string;
  samples: PromSample[];
}

const PARSE = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    samples = [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)}
               for s in family.samples]
    out.append({"name": family.name, "type": family.type, "samples": samples})
print(json.dumps(out))
`;

/**
 * The metric families of an exposition; throws when the parser refuses it.
 *
 * @example const families = parsePrometheusFamilies(text); families.map((f) => f.name)
 */
export function parsePrometheusFamilies(text: string): PromFamily[] {
  const json = execFileSync('/usr/bin/python3', ['-c', PARSE], { input: text, encoding: 'utf8' });
  return (JSON.parse(json) as PromFamily[]).map((family) => ({
    ...family,
    samples: family.samples.map((sample) => ({ ...sample, value: Number(sample.value) })),
  }));
}

/**
 * The samples of an exposition; throws when the parser refuses it.
 *
 * @example const samples = parsePrometheus(await (await fetch(url)).text());
 */
export function parsePrometheus(text: string): PromSample[] {
  return parsePrometheusFamilies(text).flatMap((family) => family.samples);
}

/**
 * The value of the sample `name` whose labels include `labels` (summed when several match;
 * undefined when none does).
 *
 * @example sampleValue(samples, 'sesame_tokens_issued_total', { grant_type: 'client_credentials' })
 */
export function sampleValue(
  samples: readonly PromSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matching = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0);
}
