import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:unit`: the tests that need nothing but this process — no child process, no browser,
// no PostgreSQL or Redis. Those are named *.process.test.ts, *.browser.test.ts and
// *.services.test.ts and left out here; `npm test` runs everything. The setup file makes starting a
// process or connecting to the services throw, so a misnamed test fails here instead of slowing it.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['**/*.process.test.ts', '**/*.browser.test.ts', '**/*.services.test.ts'],
      setupFiles: ['./packages/testkit/src/unit-setup.ts'],
      // One module graph per worker instead of one per file: the server's imports (Fastify, Kysely,
      // better-sqlite3) were most of the run's CPU when every file loaded them again. Tests here
      // keep no state between files: each opens its own temporary store and restores what it
      // patches (spies, environment variables) in its own hooks.
      isolate: false,
    },
  }),
);
