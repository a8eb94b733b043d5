/**
 * The configuration keys described for people, from the schema's rows: the settings list of
 * `sesame serve --help` and docs/configuration.md (written by `npm run docs:config`, kept in step
 * by a test), so neither can drift from what `loadConfig` accepts.
 */
import { envName, SETTINGS, type Setting } from './schema.js';

/** One configuration key as shown to people. */
export interface SettingDescription {
  key: string;
  env: string;
  /** The default as one would write it (durations as 30s, 15m, 30d); '' when there is none. */
  default: string;
  /** What values are accepted: a type, a list, limits. */
  accepts: string;
  description: string;
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * Milliseconds in the largest unit that divides them: 2592000000 → '30d', 1500 → '1500ms'.
 *
 * @example formatDuration(900_000) // '15m'
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function shown(setting: Setting, value: unknown): string {
  if (setting.format === 'milliseconds' && typeof value === 'number') return formatDuration(value);
  if (value === '' || value === undefined) return '';
  return String(value);
}

function accepts(setting: Setting): string {
  if (setting.enum !== undefined) return setting.enum.join(' | ');
  if (setting.anyOf !== undefined) return 'false | hop count | addresses/CIDRs';
  const bounds =
    setting.minimum !== undefined && setting.maximum !== undefined
      ? ` ${shown(setting, setting.minimum)}–${shown(setting, setting.maximum)}`
      : '';
  if (setting.format === 'milliseconds') return `duration${bounds}`;
  if (setting.format === 'uri') return 'http(s) URL';
  if (setting.type === 'integer') return `integer${bounds}`;
  if (setting.writeOnly) return 'string (secret)';
  return setting.type ?? 'string';
}

/**
 * Every configuration key, in schema order.
 *
 * @example describeSettings()[0] // { key: 'issuer', env: 'SESAME_ISSUER', default: 'http://127.0.0.1:8080', … }
 */
export function describeSettings(): SettingDescription[] {
  return Object.entries<Setting>(SETTINGS).map(([key, setting]) => ({
    key,
    env: envName(key),
    default: shown(setting, setting.default),
    accepts: accepts(setting),
    description: setting.description,
  }));
}

/**
 * The settings list printed after `sesame serve --help`: key, variable, default, then the
 * description on its own line.
 *
 * @example program.command('serve').addHelpText('after', settingsHelp());
 */
export function settingsHelp(): string {
  const lines = [
    '',
    'Settings: defaults < --config FILE (JSON, camelCase keys) < SESAME_* variables < flags.',
    'Durations: 30s, 15m, 7d, 250ms, or a number of seconds. docs/configuration.md has them all.',
  ];
  for (const setting of describeSettings()) {
    const fallback = setting.default === '' ? '' : ` (default ${setting.default})`;
    lines.push(`  ${setting.key}  ${setting.env}  ${setting.accepts}${fallback}`);
    lines.push(`      ${setting.description}`);
  }
  return lines.join('\n');
}

/** A Markdown table cell: pipes escaped, so a description cannot break the table. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

/**
 * docs/configuration.md, whole. `npm run docs:config` writes it; a test fails when the committed
 * file differs.
 *
 * @example writeFileSync('docs/configuration.md', configurationMarkdown());
 */
export function configurationMarkdown(): string {
  const rows = describeSettings().map(
    (setting) =>
      `| \`${setting.key}\` | \`${setting.env}\` | ${setting.default === '' ? '' : `\`${cell(setting.default)}\``} | ${cell(setting.accepts)} | ${cell(setting.description)} |`,
  );
  return [
    '# Configuration',
    '',
    '<!-- Generated from packages/server/src/config/schema.ts by `npm run docs:config`; do not edit. -->',
    '',
    'Sources, each overriding the one before: the defaults below < `--config FILE` (a JSON object of',
    'camelCase keys) < `SESAME_*` environment variables < flags (`--port`, `--host`, `--data-dir`,',
    '`--workers`). An unknown key or variable, or a bad value, stops the server with one line naming it.',
    '`sesame serve --help` prints the same list.',
    '',
    'Durations are written `30s`, `15m`, `7d`, `250ms`, or as a number of seconds. In the environment,',
    'booleans are `true`/`false`/`1`/`0`, and `trustProxy` addresses are a comma-separated list.',
    'Secrets (`string (secret)`) are never printed or logged.',
    '',
    '| key | environment | default | accepts | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
