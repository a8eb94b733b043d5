import { configDefaults, defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of every workspace package (the `sesame-source`
// export condition), so a change is tested without a rebuild.
export default defineConfig({
  resolve: { conditions: ['sesame-source'] },
  ssr: { resolve: { conditions: ['sesame-source'] } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'scripts/test/**/*.test.ts',
      'oidc/test/**/*.test.ts',
    ],
    // Fault suites stop the shared PostgreSQL and Redis: `npm run test:faults` runs them alone.
    // The fresh-clone install test takes minutes: `npm run test:install` runs it alone.
    exclude: [...configDefaults.exclude, '**/*.faults.test.ts', '**/*.install.test.ts'],
    pool: 'forks',
    // After the default output: which suites were skipped because PostgreSQL or Redis was not reachable.
    reporters: ['default', './packages/server/test/helpers/skip-summary.ts'],
    testTimeout: 20_000,
    // Hooks start servers and chromium: slow on a loaded 2-core machine, never a verdict.
    hookTimeout: 90_000,
  },
});
