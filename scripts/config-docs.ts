/**
 * `npm run docs:config`: writes docs/configuration.md from the configuration schema
 * (packages/server/src/config/schema.ts). packages/server/test/config/docs.test.ts fails when the
 * committed file differs, so a new or changed key is documented in the same commit.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configurationMarkdown } from '../packages/server/src/config/describe.js';

const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
writeFileSync(target, configurationMarkdown());
console.log(`wrote ${target}`);
