import { readFileSync } from 'node:fs';
import { checkAuditWebhook } from './audit-webhook.js';
import { checkDistributed } from './distributed.js';
import { ConfigError } from './errors.js';
import { checkMetrics } from './metrics.js';
import { parseTrustProxy } from './proxy.js';
import { envName, SETTINGS, type SesameConfig, type Setting } from './schema.js';
import { hmacSecretProblem } from './secrets.js';

export { ConfigError } from './errors.js';
export { CONFIG_SCHEMA, type ConfigKey, envName, SETTINGS, type SesameConfig } from './schema.js';

export interface ConfigSources {
  /** Values from code or tests, as if from a file. */
  values?: Record<string, unknown>;
  /** A JSON file of `{ key: value }` (the CLI's --config). */
  file?: string;
  /** The environment: SESAME_* variables are read (default: none). */
  env?: Record<string, string | undefined>;
  /** CLI flags, already in camelCase key form; the highest precedence. */
  flags?: Record<string, unknown>;
}

const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Builds the configuration once: defaults < values < file < environment < flags. Every value is
 * checked; an unknown key or a bad value throws a `ConfigError` naming the key. The result is frozen.
 *
 * @example const config = loadConfig({ env: process.env, flags: { port: 9000 } });
 */
export function loadConfig(sources: ConfigSources = {}): SesameConfig {
  const raw: Record<string, { value: unknown; origin: string }> = {};
  const take = (entries: Record<string, unknown>, origin: (key: string) => string) => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) continue;
      if (!Object.hasOwn(SETTINGS, key)) throw new ConfigError(`${origin(key)}: unknown configuration key`);
      raw[key] = { value, origin: origin(key) };
    }
  };
  if (sources.values) take(sources.values, (key) => `config ${key}`);
  if (sources.file) take(readConfigFile(sources.file), (key) => `${sources.file}: ${key}`);
  if (sources.env) take(fromEnvironment(sources.env), envName);
  if (sources.flags) take(sources.flags, (key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);

  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries<Setting>(SETTINGS)) {
    const given = raw[key];
    config[key] = given === undefined ? setting.default : parseValue(setting, given.value, given.origin);
  }
  if (raw.issuer === undefined) config.issuer = defaultIssuer(String(config.host), Number(config.port));
  // Every value has passed its row's checks (parseValue, finish): it is what the row's type says.
  return Object.freeze(finish(config)) as SesameConfig;
}

/**
 * Without an explicit issuer, the URL the server is reached at locally: http://127.0.0.1:8080 by
 * default, following --host and --port (a wildcard address is reached through the loopback).
 */
/** registrationScopes: scope tokens (RFC 6749 §3.3), space-separated, at least one. */
function checkRegistrationScopes(config: Record<string, unknown>): void {
  const names = String(config.registrationScopes)
    .split(' ')
    .filter((name) => name !== '');
  if (names.length === 0 || !names.every((name) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(name)))
    throw new ConfigError(
      `registrationScopes (${envName('registrationScopes')}): give scope names separated by spaces`,
    );
}

function defaultIssuer(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Cross-key rules and profile-dependent defaults. */
function finish(config: Record<string, unknown>): Record<string, unknown> {
  const classic = config.tokenProfile === 'classic';
  if (config.accessTokenTtl === undefined) config.accessTokenTtl = classic ? 7 * 86_400_000 : 15 * 60_000;
  // HS256 signs with a shared secret that every verifier holds: it must be strong (RFC 7518 §3.2).
  const hmac = classic || config.algorithm === 'HS256';
  if (hmac && Buffer.byteLength(String(config.hmacSecret)) < 32) {
    throw new ConfigError(
      `hmacSecret (${envName('hmacSecret')}): HS256 tokens need a shared secret of at least 32 bytes`,
    );
  }
  if (hmac) {
    let problem: string | undefined;
    try {
      problem = hmacSecretProblem(String(config.hmacSecret), String(config.weakSecretsFile));
    } catch (error) {
      throw new ConfigError(`weakSecretsFile (${envName('weakSecretsFile')}): ${(error as Error).message}`);
    }
    if (problem) throw new ConfigError(`hmacSecret (${envName('hmacSecret')}): ${problem}`);
  }
  checkDistributed(config);
  checkMetrics(config);
  checkAuditWebhook(config);
  checkRegistrationScopes(config);
  config.issuer = String(config.issuer).replace(/\/+$/, '');
  return config;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: the configuration file cannot be read`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`${path}: the configuration file is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${path}: the configuration file must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function fromEnvironment(env: Record<string, string | undefined>): Record<string, unknown> {
  const known = new Map(Object.keys(SETTINGS).map((key) => [envName(key), key]));
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    // SESAME_TEST_* belong to the test suites (e.g. SESAME_TEST_REQUIRE_SERVICES), not to the server.
    if (!name.startsWith('SESAME_') || name.startsWith('SESAME_TEST_') || value === undefined) continue;
    const key = known.get(name);
    // An unknown SESAME_ variable is a typo that would otherwise be silently ignored.
    if (key === undefined) throw new ConfigError(`${name}: unknown configuration variable`);
    values[key] = value;
  }
  return values;
}

/** How a row's values are written and checked, read from its schema. */
type Kind = 'string' | 'url' | 'integer' | 'boolean' | 'duration' | 'enum' | 'proxies';

/**
 * The kind of a row: an `enum`, a string (`format: 'uri'`: a URL), an integer
 * (`format: 'milliseconds'`: a duration), a boolean, or trustProxy's `anyOf`.
 *
 * @example kindOf(SETTINGS.refreshTokenTtl) // 'duration'
 */
export function kindOf(setting: Setting): Kind {
  if (setting.enum !== undefined) return 'enum';
  if (setting.anyOf !== undefined) return 'proxies';
  if (setting.type === 'integer') return setting.format === 'milliseconds' ? 'duration' : 'integer';
  if (setting.type === 'string') return setting.format === 'uri' ? 'url' : 'string';
  return 'boolean';
}

function parseValue(spec: Setting, value: unknown, origin: string): unknown {
  const bad = (why: string) => new ConfigError(`${origin}: ${why}`);
  switch (kindOf(spec)) {
    case 'string':
      if (typeof value !== 'string' || value.length === 0) throw bad('must be a non-empty string');
      return value;
    case 'url': {
      if (typeof value !== 'string' || !URL.canParse(value)) throw bad('must be an absolute URL');
      const url = new URL(value);
      // RFC 8414 §2: the issuer has no query or fragment.
      if (!/^https?:$/.test(url.protocol) || url.search || url.hash) {
        throw bad('must be an http(s) URL without query or fragment');
      }
      return value;
    }
    case 'enum':
      if (typeof value !== 'string' || !spec.enum!.includes(value)) {
        throw bad(`must be one of ${spec.enum!.join(', ')}`);
      }
      return value;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      throw bad('must be true or false');
    case 'proxies':
      try {
        return parseTrustProxy(value);
      } catch (error) {
        throw bad((error as Error).message);
      }
    case 'integer': {
      const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw bad('must be an integer');
      return inRange(spec, number, bad, String(number));
    }
    case 'duration':
      return inRange(spec, parseDuration(value, bad), bad, String(value));
  }
}

/** "15m", "7d", "30s", "250ms", or a number of seconds. */
function parseDuration(value: unknown, bad: (why: string) => ConfigError): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value * 1000);
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!match) throw bad('must be a duration such as 30s, 15m, 7d (or a number of seconds)');
  return Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
}

function inRange(spec: Setting, value: number, bad: (why: string) => ConfigError, shown: string): number {
  const unit = spec.format === 'milliseconds' ? ' ms' : '';
  if (spec.minimum !== undefined && value < spec.minimum)
    throw bad(`${shown} is below the minimum ${spec.minimum}${unit}`);
  if (spec.maximum !== undefined && value > spec.maximum)
    throw bad(`${shown} is above the maximum ${spec.maximum}${unit}`);
  return value;
}
