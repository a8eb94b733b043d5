/**
 * The README promises Node.js 20.19 or later (package.json `engines`). Every package that
 * `npm install` puts in node_modules must accept that promise, or npm prints EBADENGINE warnings
 * and the package may use what Node 20 lacks. content-disposition 3 and cookie 2 (via
 * @fastify/static 10.1.4+ and light-my-request 6.8+) want Node 22: package.json's `overrides` pin
 * @fastify/static 10.1.3 (the release that fixed its published advisories) and light-my-request
 * 6.6.0, whose dependencies accept Node 20.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; link?: boolean }>;
};

/** The oldest Node the project promises, and the one running the tests. */
const promised = semver.minVersion(root.engines.node)!.version;

/** `name@version engines` for each locked package whose engines.node leaves out `node`. */
function refusing(node: string): string[] {
  const out: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
    // Platform-specific optional packages that npm did not install cannot warn.
    if (!range || path === '' || !existsSync(join(ROOT, path))) continue;
    if (!semver.satisfies(node, range))
      out.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} (${range})`);
  }
  return out;
}

describe('engines', () => {
  it('promises Node 20.19 in every workspace package as in the README', () => {
    expect(promised).toBe('20.19.0');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('Node.js 20.19 or later');
    for (const workspace of ['packages/jwt', 'packages/guard', 'packages/server']) {
      const pkg = JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8'));
      expect(pkg.engines?.node, workspace).toBe(root.engines.node);
    }
  });
  it('installs no package whose engines.node refuses the oldest promised Node', () => {
    expect(refusing(promised)).toEqual([]);
  });
  it('installs no package whose engines.node refuses the Node running the tests', () => {
    expect(refusing(process.versions.node)).toEqual([]);
  });
});
