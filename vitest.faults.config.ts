import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the suites that stop and restart the machine's PostgreSQL and Redis.
// One file at a time in one fork, never beside `npm test` (vitest.config.ts excludes them): any
// other suite running during an outage would fail because of it. Sources as in vitest.config.ts.
export default defineConfig({
  resolve: { conditions: ['sesame-source'] },
  ssr: { resolve: { conditions: ['sesame-source'] } },
  test: {
    include: ['packages/*/test/**/*.faults.test.ts'],
    pool: 'forks',
    // After the default output: which suites were skipped because PostgreSQL or Redis was not reachable.
    reporters: ['default', './packages/server/test/helpers/skip-summary.ts'],
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
