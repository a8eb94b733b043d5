/**
 * The walls of .dependency-cruiser.cjs (run by `npm run lint`) are seen failing: a fixture tree laid
 * out like the repository plants one forbidden import per rule, and depcruise must name exactly those,
 * exit non-zero for the walls and only warn for the pending rules (none at present). The same tree
 * without the forbidden imports passes clean, so a rule that fires on everything would fail here too.
 * A circle between folders whose modules form no circle is planted alone, so the folder rule is
 * seen failing by itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** Files every tree has: each imports only what the walls allow. */
const ALLOWED: Record<string, string> = {
  'packages/jwt/src/index.ts': `import { a } from './lib/a.js';\nexport const jwt = a;\n`,
  'packages/jwt/src/lib/a.ts': `export const a = 1;\n`,
  'packages/protocol/src/index.ts': `export const protocol = 1;\n`,
  'node_modules/left-pad/package.json': `{ "name": "left-pad", "main": "index.js" }\n`,
  'node_modules/left-pad/index.js': `module.exports = (s) => s;\n`,
  'packages/tools/src/index.ts': `import { jwt } from '../../jwt/src/index.js';\nimport { readFile } from 'node:fs/promises';\nexport const tools = [jwt, readFile];\n`,
  'packages/guard/src/index.ts': `import { jwt } from '../../jwt/src/index.js';\nimport { protocol } from '../../protocol/src/index.js';\nexport const guard = jwt + protocol;\n`,
  'packages/server/src/index.ts': `export { route } from './http/route.js';\n`,
  'packages/server/src/store/types.ts': `export type Store = { ping(): void };\n`,
  'packages/server/src/store/errors.ts': `export class StoreError extends Error {}\n`,
  'packages/server/src/store/unavailable.ts': `import { StoreError } from './errors.js';\nexport const isUnavailable = (e: unknown) => e instanceof StoreError;\n`,
  'packages/server/src/store/sqlite.ts': `import type { Store } from './types.js';\nexport const open = (): Store => ({ ping() {} });\n`,
  'packages/server/src/store/sql/query.ts': `export const query = 'select 1';\n`,
  'packages/server/src/store/redis/store.ts': `export const redis = 1;\n`,
  'packages/server/src/open-store.ts': `import { open } from './store/sqlite.js';\nexport const openStore = open;\n`,
  'packages/server/src/domain/step.ts': `import type { Store } from '../store/types.js';\nexport const step = (s: Store) => s.ping();\n`,
  'packages/server/src/grants/grant.ts': `import { step } from '../domain/step.js';\nimport { StoreError } from '../store/errors.js';\nexport const grant = [step, StoreError];\n`,
  'packages/server/src/http/errors.ts': `export class HttpError extends Error {}\n`,
  'packages/server/src/http/route.ts': `import { grant } from '../grants/grant.js';\nimport { isUnavailable } from '../store/unavailable.js';\nexport const route = [grant, isUnavailable];\n`,
  'packages/server/src/cli/commands/users.ts': `import { openStore } from '../../open-store.js';\nimport { step } from '../../domain/step.js';\nexport const users = [openStore, step];\n`,
  'examples/demo/src/app.ts': `import { route } from '../../../packages/server/src/index.js';\nexport const app = route;\n`,
};

/** One forbidden import per rule: [rule, importing file, line added to it, imported file]. */
const FORBIDDEN: [rule: string, from: string, line: string, to: string][] = [
  [
    'jwt-imports-nothing-of-ours',
    'packages/jwt/src/lib/a.ts',
    `import '../../../guard/src/index.js';`,
    'packages/guard/src/index.ts',
  ],
  [
    'protocol-imports-nothing-of-ours',
    'packages/protocol/src/index.ts',
    `import '../../jwt/src/lib/a.js';`,
    'packages/jwt/src/lib/a.ts',
  ],
  [
    'tools-import-only-jwt-and-protocol',
    'packages/tools/src/index.ts',
    `import '../../guard/src/index.js';`,
    'packages/guard/src/index.ts',
  ],
  [
    'tools-import-only-jwt-and-protocol',
    'packages/tools/src/index.ts',
    `import 'left-pad';`,
    'node_modules/left-pad/index.js',
  ],
  [
    'guard-never-imports-server',
    'packages/guard/src/index.ts',
    `import '../../server/src/index.js';`,
    'packages/server/src/index.ts',
  ],
  [
    'nothing-imports-server-internals',
    'examples/demo/src/app.ts',
    `import '../../../packages/server/src/http/route.js';`,
    'packages/server/src/http/route.ts',
  ],
  ['domain-never-imports-http', 'packages/server/src/domain/step.ts', `import 'fastify';`, 'fastify'],
  [
    'routes-never-import-a-store-implementation',
    'packages/server/src/http/route.ts',
    `import '../store/sqlite.js';`,
    'packages/server/src/store/sqlite.ts',
  ],
  [
    'grants-never-import-a-store-implementation',
    'packages/server/src/grants/grant.ts',
    `import '../store/sql/query.js';`,
    'packages/server/src/store/sql/query.ts',
  ],
  [
    'commands-never-import-a-store-implementation',
    'packages/server/src/cli/commands/users.ts',
    `import '../../store/redis/store.js';`,
    'packages/server/src/store/redis/store.ts',
  ],
  [
    'grants-never-import-http',
    'packages/server/src/grants/grant.ts',
    `import type { HttpError } from '../http/errors.js';`,
    'packages/server/src/http/errors.ts',
  ],
];

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Lays out a tree with the allowed files and the given extra lines, and cruises it with the repo's config. */
function cruise(extra: Record<string, string[]>): { status: number | null; violations: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sesame-walls-'));
  made.push(dir);
  for (const [file, text] of Object.entries(ALLOWED)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), [...(extra[file] ?? []), text].join('\n'));
  }
  const run = spawnSync(
    process.execPath,
    // The `err` reporter, as `npm run lint` uses it: only it sets the exit code.
    [DEPCRUISE, 'packages', 'examples', '--config', CONFIG, '--output-type', 'err'],
    { cwd: dir, encoding: 'utf8' },
  );
  if (run.error) throw run.error;
  // One line per violation: `  error rule-name: from → to` (a circle's `to` follows on the next lines).
  const violations = [...run.stdout.matchAll(/^ {2}(error|warn) ([\w-]+): (\S+) → ?(\S*)$/gm)].map(
    ([, severity, rule, from, to]) => `${severity} ${rule}: ${from} -> ${to}`,
  );
  return { status: run.status, violations };
}

describe('dependency walls (.dependency-cruiser.cjs)', () => {
  it('a tree that keeps every wall passes with no violation at all', { timeout: 120_000 }, () => {
    const { status, violations } = cruise({});
    expect(violations).toEqual([]);
    expect(status).toBe(0);
  });

  it('names each planted forbidden import by its rule, and fails', { timeout: 120_000 }, () => {
    const extra: Record<string, string[]> = {};
    for (const [, from, line] of FORBIDDEN) extra[from] = [...(extra[from] ?? []), line];
    // Two folders importing each other: a circle between folders, and between modules.
    extra['packages/server/src/store/types.ts'] = [`import '../domain/step.js';`];
    const { status, violations } = cruise(extra);

    const found = [...violations].sort();
    const circles = found.filter((line) => line.includes('circles'));
    // Every wall is an error, the circle rules too: no rule is pending in the config.
    const expected = FORBIDDEN.map(([rule, from, , to]) => `error ${rule}: ${from} -> ${to}`);
    expect(found.filter((line) => !line.includes('circles'))).toEqual(expected.sort());
    expect(circles.some((line) => line.startsWith('error no-folder-circles'))).toBe(true);
    expect(circles.some((line) => line.startsWith('error no-module-circles'))).toBe(true);
    expect(found.filter((line) => line.startsWith('warn '))).toEqual([]);
    // depcruise exits with the number of error-level violations, the walls planted above among them.
    expect(status).toBe(found.filter((line) => line.startsWith('error ')).length);
    expect(status).toBeGreaterThan(0);
  });

  it('fails on a circle of folders without a circle of modules', { timeout: 120_000 }, () => {
    // store/sqlite.ts -> domain/step.ts -> store/types.ts: the folders store and domain import each
    // other, while sqlite.ts and types.ts are different modules, so no module circle.
    const { status, violations } = cruise({
      'packages/server/src/store/sqlite.ts': [`import '../domain/step.js';`],
    });
    // depcruise names the circle once from each folder in it.
    expect(violations.sort()).toEqual([
      'error no-folder-circles: packages/server/src/domain -> ',
      'error no-folder-circles: packages/server/src/store -> ',
    ]);
    expect(status).toBe(2);
  });
});
