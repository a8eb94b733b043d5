/**
 * The end-of-run summary of suites skipped for a missing service (helpers/skip-summary.ts): it
 * lists each such suite with its reason, and says nothing for suites skipped for other reasons.
 */
import { describe, expect, it } from 'vitest';
import { skippedSuiteName, summarizeSkips } from './helpers/skip-summary.js';

describe('summarizeSkips', () => {
  it('names every suite skipped for a service, once, with the reason', () => {
    const pg = skippedSuiteName('PostgreSQL store', 'PostgreSQL not reachable (127.0.0.1:5999)');
    const redis = skippedSuiteName('Redis layer', 'Redis not reachable (redis://127.0.0.1:6399)');
    const summary = summarizeSkips([pg, redis, pg]);
    expect(summary).toContain('2 suite(s) SKIPPED because a service was not reachable');
    expect(summary).toContain('  - PostgreSQL store: PostgreSQL not reachable (127.0.0.1:5999)');
    expect(summary).toContain('  - Redis layer: Redis not reachable (redis://127.0.0.1:6399)');
    expect(summary).toContain('SESAME_TEST_REQUIRE_SERVICES=1');
  });

  it('says nothing when no suite was skipped for a service', () => {
    expect(summarizeSkips([])).toBe('');
    expect(summarizeSkips(['a suite skipped with describe.skip', 'another [skipped'])).toBe('');
  });
});
