/**
 * Resident memory of a few processes sampled over a run, printed as a table (one row per sample,
 * one column per process), so that a reader sees whether memory levels off or keeps climbing —
 * a single start/end pair cannot tell a plateau from a slow leak.
 */
import { residentBytes } from './processes.js';

interface Sample {
  /** Seconds since the run started. */
  at: number;
  rss: Map<number, number>;
}

const MIB = 2 ** 20;

export class RssSeries {
  readonly samples: Sample[] = [];

  /** Reads the RSS of each pid now (a process that is gone is left out of this sample). */
  sample(at: number, pids: readonly number[]): void {
    const rss = new Map<number, number>();
    for (const pid of pids) {
      const bytes = residentBytes(pid);
      if (bytes !== undefined) rss.set(pid, bytes);
    }
    this.samples.push({ at, rss });
  }

  /**
   * RSS at the last sample over RSS at the sample half-way through the run, minus one: near zero
   * when memory has levelled off.
   */
  secondHalfGrowth(pid: number): number | undefined {
    const last = this.samples.at(-1);
    if (last === undefined) return undefined;
    const middle = this.samples.find((s) => s.at >= last.at / 2);
    const from = middle?.rss.get(pid);
    const to = last.rss.get(pid);
    return from === undefined || to === undefined || from === 0 ? undefined : to / from - 1;
  }

  /** The series as Markdown table lines, the columns named by `roles` (pid → name). */
  table(roles: ReadonlyMap<number, string>): string[] {
    const pids = [...roles.keys()];
    const lines = [
      `| s | ${pids.map((pid) => `${roles.get(pid)} ${pid}`).join(' | ')} |`,
      `| ---: | ${pids.map(() => '---:').join(' | ')} |`,
    ];
    for (const { at, rss } of this.samples) {
      const cells = pids.map((pid) => {
        const bytes = rss.get(pid);
        return bytes === undefined ? '—' : (bytes / MIB).toFixed(1);
      });
      lines.push(`| ${at.toFixed(0)} | ${cells.join(' | ')} |`);
    }
    const growth = pids.map((pid) => {
      const g = this.secondHalfGrowth(pid);
      return g === undefined ? '—' : `${g >= 0 ? '+' : ''}${(g * 100).toFixed(1)}%`;
    });
    lines.push(`| second half | ${growth.join(' | ')} |`);
    return lines;
  }
}
