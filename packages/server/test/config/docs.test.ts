import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { registerServe } from '../../src/cli/commands/serve.js';
import { loadConfig, SETTINGS, type SesameConfig } from '../../src/config/config.js';
import {
  configurationMarkdown,
  describeSettings,
  formatDuration,
  settingsHelp,
} from '../../src/config/describe.js';

const DOCS = new URL('../../../../docs/configuration.md', import.meta.url);

/** What `sesame serve --help` prints, from commander in this process. */
function serveHelp(): string {
  let out = '';
  const program = new Command('sesame').exitOverride().configureOutput({ writeOut: (text) => (out += text) });
  registerServe(program);
  expect(() => program.parse(['serve', '--help'], { from: 'user' })).toThrow('(outputHelp)');
  return out;
}

describe('configuration docs from the schema', () => {
  it('docs/configuration.md is what `npm run docs:config` writes', () => {
    // On failure: run `npm run docs:config` and commit docs/configuration.md.
    expect(readFileSync(DOCS, 'utf8')).toBe(configurationMarkdown());
  });

  it('lists every key with its variable, default and description, in serve --help and the docs', () => {
    const help = serveHelp();
    const docs = configurationMarkdown();
    expect(describeSettings().map((setting) => setting.key)).toEqual(Object.keys(SETTINGS));
    for (const setting of describeSettings()) {
      expect(help).toContain(`  ${setting.key}  ${setting.env}  `);
      expect(help).toContain(setting.description);
      expect(docs).toContain(`| \`${setting.key}\` | \`${setting.env}\` |`);
    }
    expect(help).toContain('refreshTokenTtl  SESAME_REFRESH_TOKEN_TTL  duration 1m–365d (default 30d)');
    expect(help).toContain('logFormat  SESAME_LOG_FORMAT  auto | json | pretty (default auto)');
    expect(settingsHelp()).not.toContain('(default )');
  });

  it('shows the defaults loadConfig uses', () => {
    const config = loadConfig();
    const byKey = new Map(describeSettings().map((setting) => [setting.key, setting.default]));
    expect(byKey.get('refreshTokenTtl')).toBe(formatDuration(config.refreshTokenTtl));
    expect(byKey.get('port')).toBe(String(config.port));
    expect(byKey.get('trustProxy')).toBe('false');
  });

  it('writes durations in the largest unit that divides them', () => {
    expect(formatDuration(30 * 86_400_000)).toBe('30d');
    expect(formatDuration(15 * 60_000)).toBe('15m');
    expect(formatDuration(1_500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0');
  });

  it('escapes pipes, so a description cannot break the table', () => {
    const row = configurationMarkdown()
      .split('\n')
      .find((line) => line.startsWith('| `tokenProfile`'));
    expect(row).toContain('default \\| classic');
  });

  it('infers the configuration type from the schema', () => {
    expectTypeOf<SesameConfig['algorithm']>().toEqualTypeOf<'ES256' | 'RS256' | 'EdDSA' | 'HS256'>();
    expectTypeOf<SesameConfig['refreshTokenTtl']>().toEqualTypeOf<number>();
    expectTypeOf<SesameConfig['migrateOnStart']>().toEqualTypeOf<boolean>();
    expectTypeOf<SesameConfig['trustProxy']>().toEqualTypeOf<false | number | string[]>();
    // @ts-expect-error a key that is not in the schema is not in the type
    expectTypeOf<SesameConfig['bodyLimt']>().toBeNever();
  });
});
