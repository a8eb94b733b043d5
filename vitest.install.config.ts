import { defineConfig } from 'vitest/config';

// `npm run test:install`: a fresh clone, `npm install`, `npx sesame --help`, as a newcomer does.
// It takes minutes (a whole install), so `npm test` leaves it out (vitest.config.ts) and .ci/run
// runs it on its own.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.install.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000,
  },
});
