/**
 * The end-of-run summary of suites skipped for want of PostgreSQL or Redis, so a fresh clone's
 * `npm test` says plainly what it did not test (issue 5). describeWithServices names a skipped
 * suite with `skippedSuiteName`; this Vitest reporter (listed after 'default' in the configs)
 * finds those names among the run's suites and prints them last. It needs no shared file: the
 * suite names travel from the test forks to the main process with the results.
 */
import type { Reporter, TestModule } from 'vitest/node';

const MARK = /^(.*) \[skipped: (.+)\]$/;

/** The name of a suite skipped because `why` (a service not reachable). */
export function skippedSuiteName(name: string, why: string): string {
  return `${name} [skipped: ${why}]`;
}

/**
 * The summary lines for these suite names ('' when none was skipped for a service).
 *
 * @example summarizeSkips(['PostgreSQL store [skipped: PostgreSQL not reachable (127.0.0.1:5432)]'])
 */
export function summarizeSkips(suiteNames: Iterable<string>): string {
  const lines = [...new Set(suiteNames)].flatMap((name) => {
    const match = MARK.exec(name);
    return match ? [`  - ${match[1]}: ${match[2]}`] : [];
  });
  if (lines.length === 0) return '';
  return [
    '',
    `[sesame tests] ${lines.length} suite(s) SKIPPED because a service was not reachable:`,
    ...lines,
    'They did not run. SESAME_TEST_REQUIRE_SERVICES=1 (as .ci/run sets) makes them fail instead;',
    'SESAME_TEST_DATABASE_URL and SESAME_TEST_REDIS_URL point them at other servers.',
    '',
  ].join('\n');
}

/** Prints the summary after the default reporter's own. */
export default class SkipSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const names: string[] = [];
    for (const module of testModules)
      for (const suite of module.children.allSuites())
        if (suite.state() === 'skipped') names.push(suite.name);
    const summary = summarizeSkips(names);
    if (summary) process.stdout.write(`${summary}\n`);
  }
}
