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

const PARSE = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        v = s.value
        out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels,
                    "value": v if math.isfinite(v) else str(v)})
print(json.dumps(out))
`;

/**
 * Parses an exposition; throws when the parser refuses it.
 *
 * @example const samples = parsePrometheus(await (await fetch(url)).text());
 */
export function parsePrometheus(text: string): PromSample[] {
  const json = execFileSync('/usr/bin/python3', ['-c', PARSE], { input: text, encoding: 'utf8' });
  return (JSON.parse(json) as Array<PromSample & { value: number | string }>).map((sample) => ({
    ...sample,
    value: Number(sample.value),
  }));
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
