#!/usr/bin/env node
// The `sesame` command as npm links it. This file is committed, not built: npm links a package's
// bin during `npm install`, before `prepare` builds dist/, and skips a bin whose file does not
// exist yet, so a bin pointing into dist/ left a fresh clone without `npx sesame`.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(main)) {
  await import(main.href);
} else {
  process.stderr.write(
    'error ERR_CLI_NOT_BUILT: sesame is not built yet: run `npm run build` in the Sesame repository\n',
  );
  process.exitCode = 5;
}
