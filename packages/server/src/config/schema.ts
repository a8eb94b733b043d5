/**
 * The configuration schema of the Sesame server as data: one row per key, with its type, default,
 * environment variable (SESAME_ + the key in UPPER_SNAKE) and limits. `config.ts` reads defaults,
 * then the JSON file, then the environment, then CLI flags, and checks every value against its row.
 */

import type { TrustProxy } from './proxy.js';

export type FieldType = 'string' | 'url' | 'integer' | 'boolean' | 'duration' | 'enum' | 'proxies';

export interface FieldSpec {
  type: FieldType;
  /** The default value, already in its final form (durations in milliseconds). */
  default: unknown;
  /** For 'enum': the accepted values. */
  values?: readonly string[];
  /** For 'integer' and 'duration' (milliseconds): inclusive bounds. */
  min?: number;
  max?: number;
  /** Shown by `sesame serve --help` and in docs/configuration.md. */
  description: string;
  /** A secret: never printed, never logged. */
  secret?: boolean;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Every configuration key. Adding a key is one row here and one member in `SesameConfig`. */
export const CONFIG_SCHEMA = {
  issuer: { type: 'url', default: 'http://127.0.0.1:8080', description: 'issuer URL (the iss claim)' },
  host: { type: 'string', default: '127.0.0.1', description: 'address to listen on' },
  port: { type: 'integer', default: 8080, min: 0, max: 65535, description: 'port to listen on' },
  dataDir: { type: 'string', default: './.sesame', description: 'folder of the SQLite store' },
  tokenProfile: {
    type: 'enum',
    default: 'default',
    values: ['default', 'classic'],
    description: 'default: RFC 9068 access tokens; classic: HS256 with scopes as an array',
  },
  algorithm: {
    type: 'enum',
    default: 'ES256',
    values: ['ES256', 'RS256', 'EdDSA', 'HS256'],
    description: 'signing algorithm of access tokens (default profile)',
  },
  audience: {
    type: 'string',
    default: 'sesame',
    description:
      "Sesame's own audience: the aud of access tokens when the client names none, and the aud that /admin/* and /userinfo require",
  },
  hmacSecret: {
    type: 'string',
    default: '',
    secret: true,
    description: 'HS256 shared secret: the classic profile, or algorithm HS256 (at least 32 bytes)',
  },
  weakSecretsFile: {
    type: 'string',
    default: '',
    description: 'a list of leaked HMAC secrets, one a line: an hmacSecret on it stops the server',
  },
  accessTokenTtl: {
    type: 'duration',
    default: null,
    min: 10_000,
    max: 30 * DAY,
    description: 'access token life (default 15m; 7d for the classic profile)',
  },
  refreshTokenTtl: {
    type: 'duration',
    default: 30 * DAY,
    min: MINUTE,
    max: 365 * DAY,
    description: 'life of a login session (a refresh-token family), whatever the rotations',
  },
  refreshGraceWindow: {
    type: 'duration',
    default: 30_000,
    min: 0,
    max: 5 * MINUTE,
    description: 'how long the previous refresh token still gets the same new pair (0 disables)',
  },
  keyRotationPeriod: {
    type: 'duration',
    default: 30 * DAY,
    min: MINUTE,
    max: 3650 * DAY,
    description: 'how often the signing key rotates',
  },
  throttleFreeFailures: {
    type: 'integer',
    default: 5,
    min: 0,
    max: 1000,
    description: 'failed logins allowed before back-off starts',
  },
  throttleBaseDelay: {
    type: 'duration',
    default: 1_000,
    min: 0,
    max: DAY,
    description: 'first back-off delay; doubles per further failure',
  },
  throttleMaxDelay: {
    type: 'duration',
    default: 15 * MINUTE,
    min: 0,
    max: DAY,
    description: 'longest back-off delay of a username (failures from every address)',
  },
  throttleAddressMaxDelay: {
    type: 'duration',
    default: 30_000,
    min: 0,
    max: DAY,
    description:
      "longest back-off an address's failures impose, only on the usernames it failed on (bounds what a shared address costs a user with the right password)",
  },
  throttleWindow: {
    type: 'duration',
    default: 60 * MINUTE,
    min: 1_000,
    max: 30 * DAY,
    description: 'failures older than this are forgotten',
  },
  bodyLimit: {
    type: 'integer',
    default: 16_384,
    min: 1_024,
    max: 10_485_760,
    description: 'largest accepted request body in bytes',
  },
  trustProxy: {
    type: 'proxies',
    default: false,
    description:
      'the proxies whose X-Forwarded-For gives the client address: false, a hop count (1 behind one proxy) or their addresses/CIDRs (never true)',
  },
  logLevel: {
    type: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'pino log level',
  },
  logFormat: {
    type: 'enum',
    default: 'auto',
    values: ['auto', 'json', 'pretty'],
    description:
      'log lines as JSON (for collectors) or pretty (one readable line each); auto: pretty when stdout is a terminal, JSON otherwise',
  },
  migrateOnStart: {
    type: 'boolean',
    default: true,
    description:
      'apply pending database migrations when a command opens the store; false: refuse to start until `sesame migrate` has run',
  },
  sqliteSynchronous: {
    type: 'enum',
    default: 'normal',
    values: ['normal', 'full'],
    description:
      'SQLite commits: normal fsyncs revocations, rotations and keys at commit, the rest (audit rows, new families) at checkpoints; full fsyncs every commit',
  },
  // Distributed mode (docs/deploy.md): PostgreSQL and Redis shared by many instances.
  databaseUrl: {
    type: 'string',
    default: '',
    secret: true,
    description: 'postgres:// URL: use PostgreSQL instead of the SQLite file (needs masterKey)',
  },
  masterKey: {
    type: 'string',
    default: '',
    secret: true,
    description:
      'encrypts signing keys and server secrets at rest (required with PostgreSQL; optional with SQLite): 32 random bytes, base64 or hex',
  },
  masterKeyPrevious: {
    type: 'string',
    default: '',
    secret: true,
    description: 'the master key being rotated out: still decrypts, never encrypts',
  },
  dbPoolSize: {
    type: 'integer',
    default: 10,
    min: 1,
    max: 1000,
    description: 'PostgreSQL connections per process (each worker has its own pool)',
  },
  redisUrl: {
    type: 'string',
    default: '',
    secret: true,
    description: 'redis:// URL: shared throttling, denylist, single-use markers and revocation fan-out',
  },
  redisKeyPrefix: {
    type: 'string',
    default: 'sesame:',
    description: 'prefix of every Redis key and channel (one Redis for several deployments)',
  },
  revocationFailMode: {
    type: 'enum',
    default: 'closed',
    values: ['closed', 'open'],
    description: 'Redis unreachable: closed treats checked tokens as revoked; open asks the database',
  },
  workers: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 256,
    description: 'server processes sharing the port (0: one per CPU core)',
  },
  wechatApiBase: {
    type: 'url',
    default: 'https://api.weixin.qq.com',
    description: 'base URL of the WeChat API, for the wxapp grant (jscode2session)',
  },
  wechatTimeout: {
    type: 'duration',
    default: 5_000,
    min: 100,
    max: MINUTE,
    description: 'how long the wxapp grant waits for WeChat before answering 503',
  },
} as const satisfies Record<string, FieldSpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

/** The validated, frozen configuration. Durations are in milliseconds. */
export interface SesameConfig {
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly tokenProfile: 'default' | 'classic';
  readonly algorithm: 'ES256' | 'RS256' | 'EdDSA' | 'HS256';
  readonly audience: string;
  readonly hmacSecret: string;
  readonly weakSecretsFile: string;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly refreshGraceWindow: number;
  readonly keyRotationPeriod: number;
  readonly throttleFreeFailures: number;
  readonly throttleBaseDelay: number;
  readonly throttleMaxDelay: number;
  readonly throttleAddressMaxDelay: number;
  readonly throttleWindow: number;
  readonly bodyLimit: number;
  readonly trustProxy: TrustProxy;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly migrateOnStart: boolean;
  readonly sqliteSynchronous: 'normal' | 'full';
  readonly databaseUrl: string;
  readonly masterKey: string;
  readonly masterKeyPrevious: string;
  readonly dbPoolSize: number;
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  readonly revocationFailMode: 'closed' | 'open';
  readonly workers: number;
  readonly wechatApiBase: string;
  readonly wechatTimeout: number;
}

/** `accessTokenTtl` → `SESAME_ACCESS_TOKEN_TTL`. */
export function envName(key: string): string {
  return `SESAME_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}
