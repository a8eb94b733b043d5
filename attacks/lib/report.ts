/**
 * The attack suite's tally. A check is one verdict by one verifier (the guard, /userinfo,
 * introspection, the token endpoint, or the in-process guard), so an accepted forgery is named
 * together with who accepted it. Categories keep their own counts for the summary.
 */
/** Failures listed by name per category before the rest are counted. */
const MAX_LISTED = 200;

export interface Tally {
  passed: number;
  failed: number;
}

export class Report {
  private readonly categories = new Map<string, Tally>();
  private readonly failures: string[] = [];
  private readonly notes: string[] = [];
  private readonly started = Date.now();

  /** Records one verdict; `detail` says what was seen when it failed. */
  check(category: string, name: string, ok: boolean, detail = ''): boolean {
    const tally = this.categories.get(category) ?? { passed: 0, failed: 0 };
    if (ok) tally.passed++;
    else {
      tally.failed++;
      this.failures.push(`[${category}] ${name}${detail ? ` — ${detail}` : ''}`);
    }
    this.categories.set(category, tally);
    return ok;
  }

  /** A line for the end of the report: what was chosen, what was sent where, what is pending. */
  note(text: string): void {
    this.notes.push(text);
  }

  /** A failure outside any single verdict (a process that did not start, a crash of the harness). */
  error(category: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.check(category, 'the category ran to its end', false, message.split('\n').slice(0, 6).join(' | '));
  }

  get failed(): number {
    return [...this.categories.values()].reduce((sum, tally) => sum + tally.failed, 0);
  }

  /** Prints the report; returns the exit code (1 on any failure). */
  print(out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): number {
    const width = Math.max(...[...this.categories.keys()].map((name) => name.length), 10);
    out('');
    out('Sesame attack suite');
    for (const [name, tally] of this.categories) {
      const flag = tally.failed > 0 ? '  <-- FAILED' : '';
      out(
        `  ${name.padEnd(width)}  ${String(tally.passed).padStart(7)} passed  ${tally.failed} failed${flag}`,
      );
    }
    if (this.notes.length > 0) {
      out('');
      for (const note of this.notes) out(`  note: ${note}`);
    }
    if (this.failures.length > 0) {
      out('');
      out('Accepted forgeries and other failures:');
      // Every one by name, up to a screenful per category: a broken verifier fails 100,000 checks.
      const shown = new Map<string, number>();
      for (const failure of this.failures) {
        const category = failure.slice(0, failure.indexOf(']') + 1);
        const count = (shown.get(category) ?? 0) + 1;
        shown.set(category, count);
        if (count <= MAX_LISTED) out(`  ${failure}`);
      }
      for (const [category, count] of shown) {
        if (count > MAX_LISTED) out(`  ${category} ... and ${count - MAX_LISTED} more`);
      }
    }
    const passed = [...this.categories.values()].reduce((sum, tally) => sum + tally.passed, 0);
    out('');
    out(`${passed} passed, ${this.failed} failed (${((Date.now() - this.started) / 1000).toFixed(1)} s)`);
    return this.failed > 0 ? 1 : 0;
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function inBatches<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
